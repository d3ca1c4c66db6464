using System.Runtime.Intrinsics.X86;
using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The fused ReLU convolution + 2×2 max pooling by Winograd's F(2, 3) (3×3 filters, any number of input channels, filters a
/// multiple of 16, AVX-512) against the exact convolution in double: each pooled value within a few roundings of
/// the sum it stands for, measured against the sum of the absolute products (the scale its rounding errors have).
/// </summary>
public class WinogradConvolutionTests
{
    // C, H, W, F: the shapes CNN; odd sizes (the last output row and column unpooled); an input shorter than a vector,
    // and one whose last rows are transformed element by element (20 × 21 = 420 = 26 vectors + 4); several channels
    // with 32, 48 (two blocks, then one) and 16 filters.
    [Theory]
    [InlineData(1, 20, 20, 32)]
    [InlineData(1, 7, 9, 48)]
    [InlineData(1, 4, 4, 16)]
    [InlineData(1, 20, 21, 16)]
    [InlineData(1, 11, 36, 64)]
    [InlineData(3, 12, 13, 32)]
    [InlineData(2, 9, 8, 48)]
    [InlineData(5, 6, 10, 16)]
    public void PooledValuesAreWithinRoundingOfTheExactConvolution(int channels, int height, int width, int filters)
    {
        var s = new ConvShape(channels, height, width, filters, 3, 3, 1, 1, 0, 0);
        var pool = new PoolShape(filters, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        // Where AVX-512 is missing the direct kernels run, and must meet the same bound.
        Assert.Equal(Avx512F.IsSupported, Convolution.PooledByWinograd(s, pool, int.MaxValue));

        const int batch = 3;
        var rng = new Rng((ulong)((channels * 1009) + (height * 97) + (width * 13) + filters));
        float[] x = GemmTests.Random(rng, batch * s.InputSize), w = GemmTests.Random(rng, s.WeightCount), bias = GemmTests.Random(rng, filters);
        double[] exact = ConvolutionKernelTests.Reference(s, x, w, bias, batch);
        double[] scale = ConvolutionKernelTests.Reference(s, Abs(x), Abs(w), Abs(bias), batch);

        int n = batch * pool.OutputSize;
        var got = new float[n + 3];
        Array.Fill(got, 42f);
        Convolution.ForwardReluMaxPool(x, w, bias, new float[batch * s.OutputSize], got, new int[n], new float[Convolution.WorkspaceLength(s)], s, pool, batch);

        int pixels = pool.OutHeight * pool.OutWidth;
        for (int i = 0; i < n; i++)
        {
            int map = i / pixels, py = i % pixels / pool.OutWidth, px = i % pool.OutWidth;
            double want = 0, bound = 0;
            for (int a = 0; a < 2; a++)
                for (int c = 0; c < 2; c++)
                {
                    int at = (map * s.OutHeight * s.OutWidth) + (((2 * py) + a) * s.OutWidth) + (2 * px) + c;
                    want = Math.Max(want, exact[at]);
                    bound = Math.Max(bound, scale[at]);
                }
            // A dozen roundings per channel of terms no larger than the sum of absolute products, each at most 2^-24 of it.
            Assert.True(Math.Abs(got[i] - want) <= 12 * channels * bound / (1 << 24), $"[{i}] (map {map}, {py}, {px}): got {got[i]}, want {want}, scale {bound}");
        }
        for (int i = n; i < got.Length; i++) Assert.Equal(42f, got[i]);
    }

    /// <summary>
    /// A diverged input (all NaN) gives NaN pooled values, in inference and in training: the fused ReLU keeps a NaN
    /// (as ForwardRelu does) instead of turning it into a silent 0. (Which NaN in a window survives the pooling's
    /// comparisons follows MaxForward, like the direct kernels: not every one.)
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ANaNInputGivesNaNPooledValues_NotZeros(bool training)
    {
        var s = new ConvShape(1, 20, 20, 32, 3, 3, 1, 1, 0, 0);
        var pool = new PoolShape(32, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        var rng = new Rng(7);
        float[] x = new float[s.InputSize], w = GemmTests.Random(rng, s.WeightCount), bias = GemmTests.Random(rng, 32);
        Array.Fill(x, float.NaN);
        var pooled = new float[pool.OutputSize];
        var argmax = new int[pool.OutputSize];
        var conv = new float[s.OutputSize];
        var workspace = new float[Convolution.WorkspaceLength(s)];
        if (training) Convolution.ForwardReluMaxPoolWithIndices(x, w, bias, conv, pooled, argmax, workspace, s, pool, 1);
        else Convolution.ForwardReluMaxPool(x, w, bias, conv, pooled, argmax, workspace, s, pool, 1);

        for (int i = 0; i < pooled.Length; i++) Assert.True(float.IsNaN(pooled[i]), $"[{i}]: {pooled[i]}");
    }

    private static float[] Abs(float[] values) => values.Select(Math.Abs).ToArray();
}
