using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The recurrent input side's one-hot path (rows with at most one nonzero take a gather, not the dense product): the
/// projection equals the dense kernel's bit for bit at every vector width, signed zeros and all-zero rows included;
/// the gradients match a float64 reference, the bias sums <see cref="Bias.AccumulateRowSums"/>' bit for bit; a row
/// with two nonzeros or a NaN keeps the dense meaning.
/// </summary>
[Collection(nameof(CellPathCollection))]
public sealed class OneHotInputTests
{
    public static TheoryData<int, int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int width in new[] { 512, 256, 1 })
            foreach (var (rows, gates, inputs) in new[] { (8, 4, 3), (64, 24, 20), (33, 100, 65), (1024, 384, 65), (16, 40, 130) })
                data.Add(width, rows, gates, inputs);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Projection_equals_the_dense_product_bit_for_bit(int width, int rows, int gates, int inputs) => CellPathCollection.WithWidth(width, () =>
    {
        var rng = new Random(rows * 131 + gates * 7 + inputs);
        float[] x = OneHotRows(rng, rows, inputs), w = Values(rng, gates * inputs), bias = Values(rng, gates);
        bias[0] = -0f;
        bias[1 % gates] = 0f;
        w[0] = 0f; // with x = −2 in column 0 a product of −0

        var pre = new float[rows * gates];
        RecurrentInput.Forward(x, w, bias, pre, rows, gates, inputs);

        var packed = new float[gates * inputs];
        CellGemm.PackTransposed(w, packed, gates, inputs);
        var dense = new float[rows * gates];
        CellGemm.MultiplyPackedBias(x, inputs, 1, packed, bias, dense, rows, gates, inputs);
        Assert.Equal(Bits(dense), Bits(pre));
        return 0;
    });

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_match_a_float64_reference(int width, int rows, int gates, int inputs) => CellPathCollection.WithWidth(width, () =>
    {
        var rng = new Random(rows * 31 + gates * 17 + inputs);
        float[] x = OneHotRows(rng, rows, inputs), dPre = Values(rng, rows * gates);
        float[] dW = Values(rng, gates * inputs), dB = Values(rng, gates);
        float[] dW0 = (float[])dW.Clone(), dB0 = (float[])dB.Clone();

        RecurrentInput.Backward(dPre, x, dW, dB, rows, gates, inputs);

        float[] expectedBias = (float[])dB0.Clone();
        Bias.AccumulateRowSums(dPre, expectedBias, rows, gates);
        Assert.Equal(Bits(expectedBias), Bits(dB));
        for (int j = 0; j < gates; j++)
            for (int i = 0; i < inputs; i++)
            {
                double expected = dW0[j * inputs + i];
                for (int r = 0; r < rows; r++) expected += (double)dPre[r * gates + j] * x[r * inputs + i];
                Assert.True(Math.Abs(dW[j * inputs + i] - expected) <= 1e-5 * (1 + Math.Abs(expected)), $"weight ({j}, {i}): {dW[j * inputs + i]} vs {expected}");
            }
        return 0;
    });

    [Fact]
    public void A_row_with_two_nonzeros_is_multiplied_densely()
    {
        const int rows = 16, gates = 32, inputs = 10;
        var rng = new Random(5);
        float[] x = OneHotRows(rng, rows, inputs), w = Values(rng, gates * inputs), bias = Values(rng, gates);
        x[7 * inputs + 2] = 0.5f;
        x[7 * inputs + 9] = -1.5f;

        var pre = new float[rows * gates];
        RecurrentInput.Forward(x, w, bias, pre, rows, gates, inputs);

        for (int r = 0; r < rows; r++)
            for (int j = 0; j < gates; j++)
            {
                double expected = bias[j];
                for (int i = 0; i < inputs; i++) expected += (double)x[r * inputs + i] * w[j * inputs + i];
                Assert.True(Math.Abs(pre[r * gates + j] - expected) <= 1e-5, $"({r}, {j}): {pre[r * gates + j]} vs {expected}");
            }
    }

    [Fact]
    public void A_NaN_input_reaches_its_row()
    {
        const int rows = 8, gates = 20, inputs = 5;
        var rng = new Random(6);
        float[] x = OneHotRows(rng, rows, inputs), w = Values(rng, gates * inputs), bias = Values(rng, gates);
        Array.Clear(x, 3 * inputs, inputs);
        x[3 * inputs + 4] = float.NaN;

        var pre = new float[rows * gates];
        RecurrentInput.Forward(x, w, bias, pre, rows, gates, inputs);

        Assert.All(pre.AsSpan(3 * gates, gates).ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.DoesNotContain(pre.AsSpan(4 * gates).ToArray(), float.IsNaN);
    }

    /// <summary>Rows with one nonzero of any sign and size (a few −0 and all-zero rows too), as one-hot characters or their scaled forms.</summary>
    private static float[] OneHotRows(Random rng, int rows, int inputs)
    {
        var x = new float[rows * inputs];
        for (int r = 0; r < rows; r++)
        {
            int kind = r % 7;
            if (kind == 5) continue; // an all-zero row (padding)
            int column = kind == 0 ? 0 : rng.Next(inputs);
            x[r * inputs + column] = kind switch { 0 => -2f, 1 or 2 or 3 => 1f, 4 => (float)(rng.NextDouble() * 4 - 2), _ => 0.75f };
            if (kind == 6) x[r * inputs + (column + 1) % inputs] = -0f;
        }
        return x;
    }

    private static float[] Values(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
