using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The fused dense forward pass (GEMM or GEMV, bias, activation in one call) against the three kernels run one after
/// another: the same bits, at batch 1 (bias and ReLU in the GEMV's write-back, both widths) and larger batches.
/// </summary>
public sealed class LinearTests
{
    public static TheoryData<int, int, int, Activation> Cases()
    {
        var data = new TheoryData<int, int, int, Activation>();
        foreach (var (units, inputs) in new[] { (128, 784), (10, 128), (3, 64), (17, 33), (64, 2592), (40, 512), (1, 1) })
            foreach (int rows in new[] { 1, 3 })
                foreach (Activation activation in Enum.GetValues<Activation>())
                    data.Add(rows, units, inputs, activation);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_gemm_then_bias_then_activation_bit_for_bit(int rows, int units, int inputs, Activation activation)
    {
        var rng = new Random(rows * 7919 + units * 31 + inputs);
        float[] x = Values(rng, rows * inputs), w = Values(rng, units * inputs), bias = Values(rng, units);
        var expected = new float[rows * units];
        Gemm.MultiplyTransposedB(x, w, expected, rows, units, inputs);
        Bias.AddRows(expected, bias, rows, units);
        switch (activation)
        {
            case Activation.ReLU: Activations.Relu(expected); break;
            case Activation.Sigmoid: Activations.Sigmoid(expected); break;
            case Activation.Tanh: Activations.Tanh(expected); break;
            case Activation.Softmax: Activations.SoftmaxRows(expected, rows, units); break;
        }

        var y = new float[rows * units + 5];
        Array.Fill(y, float.NaN);
        Linear.Forward(x, w, bias, y, rows, units, inputs, activation);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(y[i]), $"output {i}: {y[i]:R} vs {expected[i]:R}");
        Assert.All(y[expected.Length..], v => Assert.True(float.IsNaN(v), "wrote past the outputs"));
    }

    [Theory]
    [InlineData(128, 784)]
    [InlineData(10, 128)]
    [InlineData(20, 17)]
    [InlineData(64, 2592)]
    public void Gemv_bias_and_relu_epilogue_matches_separate_passes_at_every_width(int n, int k)
    {
        var rng = new Random(n + k);
        float[] x = Values(rng, k), w = Values(rng, n * k), bias = Values(rng, n);
        foreach (int width in new[] { 512, 256 })
        {
            if (!Gemv.Supports(width)) continue;
            foreach (bool relu in new[] { false, true })
            {
                var expected = new float[n];
                Gemv.Multiply(ref x[0], ref w[0], ref expected[0], n, k, accumulate: false, width);
                Bias.AddRows(expected, bias, 1, n);
                if (relu) Activations.Relu(expected);
                var y = new float[n];
                Gemv.MultiplyBias(ref x[0], ref w[0], ref bias[0], ref y[0], n, k, relu, width);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    [Fact]
    public void Rejects_short_spans_and_unknown_activations()
    {
        float[] x = new float[6], w = new float[8], b = new float[4], y = new float[8];
        Linear.Forward(x, w, b, y, 2, 4, 2, Activation.ReLU); // fits
        Assert.Contains("x", Assert.Throws<ArgumentException>(() => Linear.Forward(x.AsSpan(0, 3), w, b, y, 2, 4, 2, Activation.ReLU)).Message);
        Assert.Contains("weights", Assert.Throws<ArgumentException>(() => Linear.Forward(x, w.AsSpan(0, 7), b, y, 2, 4, 2, Activation.ReLU)).Message);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => Linear.Forward(x, w, b.AsSpan(0, 3), y, 2, 4, 2, Activation.ReLU)).Message);
        Assert.Contains("y", Assert.Throws<ArgumentException>(() => Linear.Forward(x, w, b, y.AsSpan(0, 7), 2, 4, 2, Activation.ReLU)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.Forward(x, w, b, y, 2, 4, 2, (Activation)42));
    }

    private static float[] Values(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
