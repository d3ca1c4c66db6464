using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = [1, 2, 7, 16, 17, 33, 100];

    public enum Variant { Plain, TransposedA, TransposedB }

    // Every (m, n, k) from the size set: the naive reference is cheap enough to cover the whole cube,
    // which includes GEMV (m == 1), single-column (n == 1) and every remainder path.
    public static TheoryData<Variant, int, int, int> Cases()
    {
        var data = new TheoryData<Variant, int, int, int>();
        foreach (Variant v in Enum.GetValues<Variant>())
            foreach (int m in Sizes)
                foreach (int n in Sizes)
                    foreach (int k in Sizes)
                        data.Add(v, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNaiveReference(Variant variant, int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 10007 + n * 101 + k) ^ (ulong)variant << 40);
        // Spans deliberately longer than needed: kernels must use only the leading elements.
        float[] a = Random(rng, m * k + 3);
        float[] b = Random(rng, k * n + 5);
        float[] initial = Random(rng, m * n + 2);

        double[] expected = Reference(variant, a, b, m, n, k);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] c = (float[])initial.Clone();
            Run(variant, a, b, c, m, n, k, accumulate);
            for (int i = 0; i < m * n; i++)
            {
                double want = expected[i] + (accumulate ? initial[i] : 0.0);
                double scale = Math.Max(1.0, Math.Sqrt(k)); // sum of k unit-sized products
                Assert.True(Math.Abs(c[i] - want) <= 1e-4 * scale + 1e-4 * Math.Abs(want),
                    $"{variant} m={m} n={n} k={k} acc={accumulate} [{i}]: got {c[i]}, want {want}");
            }
            for (int i = m * n; i < c.Length; i++)
                Assert.Equal(initial[i], c[i]); // nothing written past m·n
        }
    }

    // The row-dot kernel (C = A·Bᵀ) at every vector width the machine has: AVX-512 uses 4 × 4 blocks, AVX2 2 × 4,
    // batch 1 (m == 1) 1 × 8 blocks, each with remainders in m, n and k.
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    [InlineData(4)]
    [InlineData(1)]
    public void TransposedBMatchesReferenceAtEveryWidth(int width)
    {
        if (width == 16 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        if (width == 8 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return;
        if (width == 4 && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) return;
        foreach (int m in new[] { 1, 3, 4, 6, 9 })
            foreach (int n in new[] { 1, 5, 8, 13, 17 })
                foreach (int k in new[] { 1, 15, 16, 33, 70 })
                {
                    var rng = new Rng((ulong)(m * 7919 + n * 31 + k + width));
                    float[] a = Random(rng, m * k + 3), b = Random(rng, n * k + 5), initial = Random(rng, m * n + 2);
                    double[] expected = Reference(Variant.TransposedB, a, b, m, n, k);
                    foreach (bool accumulate in new[] { false, true })
                    {
                        float[] c = (float[])initial.Clone();
                        Gemm.MultiplyTransposedBWidth(a, b, c, m, n, k, accumulate, width);
                        for (int i = 0; i < m * n; i++)
                        {
                            double want = expected[i] + (accumulate ? initial[i] : 0.0);
                            Assert.True(Math.Abs(c[i] - want) <= 1e-4 * Math.Max(1.0, Math.Sqrt(k)) + 1e-4 * Math.Abs(want),
                                $"width {width} m={m} n={n} k={k} acc={accumulate} [{i}]: got {c[i]}, want {want}");
                        }
                        for (int i = m * n; i < c.Length; i++) Assert.Equal(initial[i], c[i]);
                    }
                }
    }

    // The broadcasting kernel (C = A·B and Aᵀ·B) at every vector width the machine has: AVX-512 uses 8 × 3-vector
    // tiles with 4-row and column remainders, the narrower widths 4 × 2-vector tiles.
    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    [InlineData(4)]
    [InlineData(1)]
    public void BroadcastingMatchesReferenceAtEveryWidth(int width)
    {
        if (width == 16 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;
        if (width == 8 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return;
        if (width == 4 && !System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated) return;
        foreach (bool transposedA in new[] { false, true })
            foreach (int m in new[] { 1, 5, 8, 13, 17 })
                foreach (int n in new[] { 3, 16, 40, 48, 61, 100 })
                    foreach (int k in new[] { 1, 9, 32 })
                    {
                        var rng = new Rng((ulong)(m * 7919 + n * 31 + k + width) ^ (transposedA ? 1UL << 33 : 0));
                        float[] a = Random(rng, m * k + 3), b = Random(rng, n * k + 5), initial = Random(rng, m * n + 2);
                        double[] expected = Reference(transposedA ? Variant.TransposedA : Variant.Plain, a, b, m, n, k);
                        foreach (bool accumulate in new[] { false, true })
                        {
                            float[] c = (float[])initial.Clone();
                            Gemm.BroadcastingWidth(a, b, c, m, n, k, accumulate, transposedA, width);
                            for (int i = 0; i < m * n; i++)
                            {
                                double want = expected[i] + (accumulate ? initial[i] : 0.0);
                                Assert.True(Math.Abs(c[i] - want) <= 1e-4 * Math.Max(1.0, Math.Sqrt(k)) + 1e-4 * Math.Abs(want),
                                    $"width {width} Aᵀ={transposedA} m={m} n={n} k={k} acc={accumulate} [{i}]: got {c[i]}, want {want}");
                            }
                            for (int i = m * n; i < c.Length; i++) Assert.Equal(initial[i], c[i]);
                        }
                    }
    }

    [Fact]
    public void ZeroInnerDimensionGivesZeroOrLeavesAccumulatorUnchanged()
    {
        float[] c = [1f, 2f, 3f, 4f];
        Gemm.Multiply([], [], c, 2, 2, 0, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f], c);
        Gemm.MultiplyTransposedB([], [], c, 2, 2, 0);
        Assert.Equal([0f, 0f, 0f, 0f], c);
    }

    [Theory]
    [InlineData(Variant.Plain)]
    [InlineData(Variant.TransposedA)]
    [InlineData(Variant.TransposedB)]
    public void TooShortSpansThrow(Variant variant)
    {
        const int m = 3, n = 4, k = 5;
        var ok = new float[64];
        var ex = Assert.Throws<ArgumentException>(() => Run(variant, new float[m * k - 1], ok, ok, m, n, k, false));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("14", ex.Message); // actual length named
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => Run(variant, ok, new float[k * n - 1], ok, m, n, k, false)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Run(variant, ok, ok, new float[m * n - 1], m, n, k, false)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Run(variant, ok, ok, ok, -1, n, k, false));
    }

    internal static void Run(Variant variant, float[] a, float[] b, float[] c, int m, int n, int k, bool accumulate)
    {
        switch (variant)
        {
            case Variant.Plain: Gemm.Multiply(a, b, c, m, n, k, accumulate); break;
            case Variant.TransposedA: Gemm.MultiplyTransposedA(a, b, c, m, n, k, accumulate); break;
            default: Gemm.MultiplyTransposedB(a, b, c, m, n, k, accumulate); break;
        }
    }

    private static double[] Reference(Variant variant, float[] a, float[] b, int m, int n, int k)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = variant == Variant.TransposedA ? a[p * m + i] : a[i * k + p];
                    double y = variant == Variant.TransposedB ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                }
                c[i * n + j] = s;
            }
        return c;
    }

    internal static float[] Random(Rng rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = rng.NextFloat() * 2f - 1f;
        return x;
    }
}
