using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The batch-1 dense layer on weights packed in × out (a predictor's layout) against a float64 reference, at both
/// vector widths: every block shape of the kernel (eight, four and one output vectors, odd input counts), each
/// activation, and nothing written past the outputs.
/// </summary>
public sealed class PackedLinearTests
{
    public static TheoryData<int, int, Activation> Cases()
    {
        var data = new TheoryData<int, int, Activation>();
        foreach (var (units, inputs) in new[] { (128, 784), (10, 128), (3, 64), (17, 33), (64, 2592), (200, 7), (80, 5), (1, 1), (16, 3), (5, 0) })
            foreach (Activation activation in Enum.GetValues<Activation>())
                data.Add(units, inputs, activation);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_a_float64_reference(int units, int inputs, Activation activation)
    {
        var rng = new Random(units * 31 + inputs);
        float[] x = Values(rng, inputs), w = Values(rng, units * inputs), bias = Values(rng, units);
        var packed = new float[Linear.PackedLength(units, inputs)];
        Linear.Pack(w, packed, units, inputs);

        if (!Linear.PackedSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => Linear.ForwardPacked(x, packed, bias, new float[units], units, inputs, activation));
            return;
        }

        var expected = Reference(x, w, bias, units, inputs, activation, out var scale);
        foreach (int width in new[] { 512, 256 })
        {
            if (Linear.PackedWidth(width) != width) continue;
            var y = new float[units + 5];
            Array.Fill(y, float.NaN);
            Linear.ForwardPackedWidth(x, packed, bias, y, units, inputs, activation, width);
            for (int o = 0; o < units; o++)
                Assert.True(Math.Abs(y[o] - expected[o]) <= 1e-6 * (1 + scale[o]), $"{width}-bit, output {o}: {y[o]:R} vs {expected[o]:R}");
            Assert.All(y[units..], v => Assert.True(float.IsNaN(v), $"{width}-bit: wrote past the outputs"));
        }
    }

    [Fact]
    public void Pack_transposes_and_pads_each_row_to_whole_vectors()
    {
        const int units = 3, inputs = 2;
        float[] w = { 1, 2, 3, 4, 5, 6 }; // out × in: rows (1, 2), (3, 4), (5, 6)
        var packed = new float[Linear.PackedLength(units, inputs)];
        Array.Fill(packed, float.NaN);

        Linear.Pack(w, packed, units, inputs);

        Assert.Equal(32, packed.Length);
        Assert.Equal(new float[] { 1, 3, 5 }, packed[..3]);
        Assert.Equal(new float[] { 2, 4, 6 }, packed[16..19]);
        Assert.All(packed[3..16].Concat(packed[19..]), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Pixel_major_packing_reads_pixel_major_inputs()
    {
        const int units = 5, channels = 3, pixels = 4, inputs = channels * pixels;
        var rng = new Random(17);
        float[] x = Values(rng, inputs), w = Values(rng, units * inputs), bias = Values(rng, units);
        var pixelMajor = new float[inputs];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < pixels; p++)
                pixelMajor[(p * channels) + c] = x[(c * pixels) + p];
        var packed = new float[Linear.PackedLength(units, inputs)];
        Linear.Pack(w, packed, units, inputs, channels);

        for (int o = 0; o < units; o++)
            for (int j = 0; j < inputs; j++)
                Assert.Equal(w[(o * inputs) + j], packed[((((j % pixels) * channels) + (j / pixels)) * 16) + o]);
        Assert.Throws<ArgumentException>(() => Linear.Pack(w, packed, units, inputs, channels: 5));
        if (!Linear.PackedSupported) return;

        var y = new float[units];
        Linear.ForwardPacked(pixelMajor, packed, bias, y, units, inputs, Activation.Identity);
        var expected = Reference(x, w, bias, units, inputs, Activation.Identity, out var scale);
        for (int o = 0; o < units; o++)
            Assert.True(Math.Abs(y[o] - expected[o]) <= 1e-6 * (1 + scale[o]), $"output {o}: {y[o]:R} vs {expected[o]:R}");
    }

    [Fact]
    public void Short_spans_and_unknown_activations_throw_before_writing()
    {
        if (!Linear.PackedSupported) return; // ForwardPacked refuses first (Matches_a_float64_reference checks that)
        float[] x = new float[8], bias = new float[4], packed = new float[Linear.PackedLength(4, 8)], y = { 7, 7, 7, 7 };

        Assert.Throws<ArgumentException>(() => Linear.ForwardPacked(x, packed.AsSpan(0, packed.Length - 1), bias, y, 4, 8, Activation.Identity));
        Assert.Throws<ArgumentException>(() => Linear.ForwardPacked(x.AsSpan(0, 7), packed, bias, y, 4, 8, Activation.Identity));
        Assert.Throws<ArgumentException>(() => Linear.ForwardPacked(x, packed, bias, y.AsSpan(0, 3), 4, 8, Activation.Identity));
        Assert.Throws<ArgumentOutOfRangeException>(() => Linear.ForwardPacked(x, packed, bias, y, 4, 8, (Activation)99));
        Assert.Throws<ArgumentException>(() => Linear.Pack(new float[31], packed, 4, 8));
        Assert.Equal(new float[] { 7, 7, 7, 7 }, y);
    }

    private static double[] Reference(float[] x, float[] w, float[] bias, int units, int inputs, Activation activation, out double[] scale)
    {
        var z = new double[units];
        scale = new double[units];
        for (int o = 0; o < units; o++)
        {
            double sum = bias[o], magnitude = Math.Abs(bias[o]);
            for (int j = 0; j < inputs; j++)
            {
                sum += (double)x[j] * w[(o * inputs) + j];
                magnitude += Math.Abs((double)x[j] * w[(o * inputs) + j]);
            }

            z[o] = sum;
            scale[o] = magnitude;
        }

        switch (activation)
        {
            case Activation.ReLU: return z.Select(v => Math.Max(v, 0)).ToArray();
            case Activation.Sigmoid: return z.Select(v => 1 / (1 + Math.Exp(-v))).ToArray();
            case Activation.Tanh: return z.Select(Math.Tanh).ToArray();
            case Activation.Softmax:
                double max = z.Max(), total = z.Sum(v => Math.Exp(v - max));
                return z.Select(v => Math.Exp(v - max) / total).ToArray();
            default: return z;
        }
    }

    private static float[] Values(Random rng, int n)
    {
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)((rng.NextDouble() * 2) - 1);
        return values;
    }
}
