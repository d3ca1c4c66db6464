using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

/// <summary>The batch-1 GEMV kernel at every width against a naive reference: odd sizes, every alignment of W,
/// NaN in the memory around W (nothing outside W may reach the result), accumulate or not; and the same bits
/// wherever W and x lie.</summary>
public sealed class GemvTests
{
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int n in new[] { 1, 3, 8, 15, 16, 17, 33, 64 })
            foreach (int k in new[] { 1, 5, 15, 16, 17, 32, 47, 112, 128, 130, 144, 512, 784 })
                data.Add(n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReferenceAtEveryWidthAndAlignment(int n, int k)
    {
        var rng = new Random(n * 1000 + k);
        float[] x = Enumerable.Range(0, k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] wData = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var expected = new double[n];
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++) expected[j] += (double)wData[j * k + p] * x[p];

        foreach (int width in new[] { 512, 256 })
        {
            if (!Gemv.Supports(width)) continue;
            for (int offset = 0; offset < 16; offset++)
            {
                // W surrounded by NaN: whatever the kernel reads outside W must not reach the result.
                float[] storage = new float[n * k + 64];
                Array.Fill(storage, float.NaN);
                wData.CopyTo(storage, offset + 16);
                foreach (bool accumulate in new[] { false, true })
                {
                    float[] y = (float[])bias.Clone();
                    Gemv.Multiply(ref x[0], ref storage[offset + 16], ref y[0], n, k, accumulate, width);
                    for (int j = 0; j < n; j++)
                    {
                        double want = expected[j] + (accumulate ? bias[j] : 0);
                        Assert.True(Math.Abs(y[j] - want) <= 1e-4 * (1 + Math.Sqrt(k)),
                            $"width {width}, offset {offset}, accumulate {accumulate}, n={n}, k={k}, row {j}: {y[j]} vs {want}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(128, 784)]
    [InlineData(64, 2592)]
    [InlineData(512, 128)]
    [InlineData(10, 128)]
    [InlineData(40, 512)]
    [InlineData(33, 47)]
    [InlineData(17, 1000)]
    public void GivesTheSameBitsWhereverWAndXLie(int n, int k)
    {
        // Determinism: a model must give the same output whatever address its arrays got from the allocator.
        var rng = new Random(n + 7 * k);
        float[] x = Enumerable.Range(0, k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] w = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (int width in new[] { 512, 256 })
        {
            if (!Gemv.Supports(width)) continue;
            float[]? first = null;
            for (int offset = 0; offset < 16; offset++)
            {
                float[] wAt = new float[n * k + 16], xAt = new float[k + 16], y = new float[n];
                w.CopyTo(wAt, offset);
                x.CopyTo(xAt, 15 - offset);
                Gemv.Multiply(ref xAt[15 - offset], ref wAt[offset], ref y[0], n, k, accumulate: false, width);
                first ??= y;
                for (int j = 0; j < n; j++)
                    Assert.True(BitConverter.SingleToInt32Bits(first[j]) == BitConverter.SingleToInt32Bits(y[j]),
                        $"width {width}, offset {offset}, row {j}: {y[j]:R} vs {first[j]:R} at offset 0");
            }
        }
    }

    [Theory]
    [InlineData(128, 784)]
    [InlineData(64, 2592)]
    [InlineData(40, 512)]
    [InlineData(33, 47)]
    [InlineData(17, 1000)]
    [InlineData(48, 130)]
    [InlineData(7, 16)]
    public void ReadingTheRowsDescendingGivesTheSameBits(int n, int k)
    {
        // Models alternate the direction from one pass to the next: both must give every output the same bits.
        var rng = new Random(3 * n + k);
        float[] x = Enumerable.Range(0, k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] w = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        foreach (int width in new[] { 512, 256 })
        {
            if (!Gemv.Supports(width)) continue;
            foreach (bool relu in new[] { false, true })
            {
                float[] up = new float[n], down = new float[n];
                Gemv.MultiplyBias(ref x[0], ref w[0], ref bias[0], ref up[0], n, k, relu, width, descending: false);
                Gemv.MultiplyBias(ref x[0], ref w[0], ref bias[0], ref down[0], n, k, relu, width, descending: true);
                AssertSameBits(up, down, $"width {width}, relu {relu}");
            }
            float[] sumUp = (float[])bias.Clone(), sumDown = (float[])bias.Clone();
            Gemv.Multiply(ref x[0], ref w[0], ref sumUp[0], n, k, accumulate: true, width, descending: false);
            Gemv.Multiply(ref x[0], ref w[0], ref sumDown[0], n, k, accumulate: true, width, descending: true);
            AssertSameBits(sumUp, sumDown, $"width {width}, accumulate");
        }
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Contains(expected, v => v != 0f);
        for (int j = 0; j < expected.Length; j++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[j]) == BitConverter.SingleToInt32Bits(actual[j]),
                $"{what}, row {j}: {actual[j]:R} vs {expected[j]:R}");
    }
}
