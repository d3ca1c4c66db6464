using System.Numerics.Tensors;
using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// Elementwise runs TensorPrimitives in pieces (so large outputs stay cached): the results must be the bits of one
/// TensorPrimitives call at every length around the piece size, in place too, and malformed calls must fail as
/// TensorPrimitives fails.
/// </summary>
public class ElementwiseTests
{
    public static TheoryData<int> Lengths => [1, 17, Elementwise.Piece - 1, Elementwise.Piece, Elementwise.Piece + 1, 2 * Elementwise.Piece + 5, 70_001, 101_770];

    private delegate void Unary(ReadOnlySpan<float> x, Span<float> destination);

    private delegate void Binary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    private static float[] Values(int length, int seed, float scale = 4f)
    {
        var rng = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (rng.NextSingle() - 0.5f) * scale;
        return values;
    }

    private static void AssertSameBits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"element {i} of {expected.Length}: {expected[i]:R} expected, {actual[i]:R} computed");
        }
    }

    private static void Check(int length, Unary reference, Unary pieces)
    {
        float[] x = Values(length, 1), expected = new float[length], actual = new float[length];
        reference(x, expected);
        pieces(x, actual);
        AssertSameBits(expected, actual);
        pieces(x, x); // in place
        AssertSameBits(expected, x);
    }

    private static void Check(int length, Binary reference, Binary pieces)
    {
        float[] x = Values(length, 1), y = Values(length, 2), expected = new float[length], actual = new float[length];
        reference(x, y, expected);
        pieces(x, y, actual);
        AssertSameBits(expected, actual);
        pieces(x, y, y); // in place, into the second operand
        AssertSameBits(expected, y);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Binary_operations_give_the_bits_of_one_call(int length)
    {
        Check(length, TensorPrimitives.Add, Elementwise.Add);
        Check(length, TensorPrimitives.Subtract, Elementwise.Subtract);
        Check(length, TensorPrimitives.Multiply, Elementwise.Multiply);
        Check(length, (x, y, d) => TensorPrimitives.Multiply(x, 0.37f, d), (x, y, d) => Elementwise.Multiply(x, 0.37f, d));
        Check(length, (x, y, d) => TensorPrimitives.Subtract(x, 0.37f, d), (x, y, d) => Elementwise.Subtract(x, 0.37f, d));
        Check(length, (x, y, d) => TensorPrimitives.MultiplyAdd(x, -0.01f, y, d), (x, y, d) => Elementwise.MultiplyAdd(x, -0.01f, y, d));
        Check(length, (x, y, d) => TensorPrimitives.MultiplyAdd(x, y, y, d), (x, y, d) => Elementwise.MultiplyAdd(x, y, y, d));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Unary_operations_give_the_bits_of_one_call(int length)
    {
        Check(length, TensorPrimitives.Sigmoid, Elementwise.Sigmoid);
        Check(length, TensorPrimitives.Tanh, Elementwise.Tanh);
        Check(length, TensorPrimitives.Exp, Elementwise.Exp);
        Check(length, (x, d) => TensorPrimitives.Clamp(x, -0.5f, 0.75f, d), (x, d) => Elementwise.Clamp(x, -0.5f, 0.75f, d));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(70_001)]
    public void Malformed_calls_fail_like_TensorPrimitives(int length)
    {
        float[] x = new float[length], shorter = new float[length - 1];
        Assert.Throws<ArgumentException>(() => Elementwise.Add(x, shorter, new float[length]));
        Assert.Throws<ArgumentException>(() => Elementwise.Multiply(x, 2f, shorter));
        Assert.Throws<ArgumentException>(() => Elementwise.MultiplyAdd(x, x, shorter, new float[length]));
        Assert.Throws<ArgumentException>(() => Elementwise.Tanh(x, shorter));
    }
}
