using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class ConvolutionKernelTests
{
    // C, H, W, F, KH, KW, stride, pad. Widths 16 (AVX-512 direct), 8 (AVX2 direct), 1 (im2col + GEMM); a width
    // the machine or the shape does not allow falls back to the next path down. At width 16, 3×3 filters and a
    // multiple of 16 filters, the fused conv + pool runs Winograd's F(2, 3) (shapes 0, 12–16).
    private static readonly int[][] ShapeList =
    [
        [1, 20, 20, 32, 3, 3, 1, 0],  // the shapes CNN: 18 outputs per row = one AVX-512 step + a shifted one
        [2, 9, 11, 5, 3, 3, 1, 0],    // 9 outputs per row: AVX2 step + shifted step; odd filter count
        [3, 19, 25, 6, 3, 3, 1, 0],   // 23 per row
        [1, 18, 18, 4, 3, 3, 1, 0],   // exactly one AVX-512 step per row
        [2, 12, 34, 7, 3, 3, 1, 0],   // 32 per row: two whole steps
        [1, 5, 50, 3, 3, 3, 1, 0],    // three steps per row (odd count)
        [2, 10, 37, 3, 2, 4, 1, 0],   // not 3×3: direct forward, im2col weight gradient
        [2, 12, 12, 3, 3, 3, 2, 1],   // strided and padded: im2col only
        [1, 6, 6, 2, 3, 3, 1, 0],     // 4 outputs per row: too narrow for any vector path
        [2, 14, 20, 13, 3, 3, 1, 0],  // fused conv+pool: 8 + 4 + 1 filters on the flat grid, last pooled row on 16+8 steps
        [1, 15, 22, 9, 3, 3, 1, 0],   // forward two rows at a time on the flat grid: 8 + 1 filters, an odd last row
        [2, 22, 20, 12, 3, 3, 1, 0],  // fused conv+pool on the flat grid: 12 filters (not a multiple of 16), two channels
        [3, 19, 21, 48, 3, 3, 1, 0],  // fused conv+pool by Winograd, three channels: 32 + 16 filters, odd output sizes (last row and column unpooled)
        [1, 22, 24, 16, 3, 3, 1, 0],  // 16 filters, 11 pooled columns
        [1, 7, 9, 48, 3, 3, 1, 0],    // Winograd: 48 filters, 2 × 3 pooled (last row and column unpooled)
        [1, 4, 4, 16, 3, 3, 1, 0],    // Winograd: one pooled pixel from an input shorter than a vector
        [2, 22, 24, 16, 3, 3, 1, 0],  // Winograd with two channels: one block of 16 filters, 11 pooled columns
        [2, 20, 20, 16, 5, 5, 1, 0],  // pixel-major (not 3×3): 16 filters, 8 pooled columns (the last three-pixel block overlaps)
        [1, 21, 22, 32, 4, 4, 1, 0],  // pixel-major: 32 filters, odd output sizes
    ];

    public static TheoryData<int, int> Cases()
    {
        var data = new TheoryData<int, int>();
        foreach (int width in new[] { 16, 8, 1 })
            for (int i = 0; i < ShapeList.Length; i++)
                data.Add(width, i);
        return data;
    }

    private static ConvShape Shape(int index)
    {
        int[] v = ShapeList[index];
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[6], v[7], v[7]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardMatchesReference(int width, int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        const int batch = 3;
        var rng = new Rng((ulong)(shapeIndex * 131 + width));
        float[] x = GemmTests.Random(rng, batch * s.InputSize + 3);
        float[] w = GemmTests.Random(rng, s.WeightCount + 2);
        float[] bias = GemmTests.Random(rng, s.Filters + 1);
        double[] want = Reference(s, x, w, bias, batch);
        foreach (bool relu in new[] { false, true })
        {
            var y = new float[batch * s.OutputSize + 4];
            Array.Fill(y, 42f);
            Convolution.ForwardWidth(x, w, bias, y, new float[Convolution.WorkspaceLength(s)], s, batch, relu, width);
            for (int i = 0; i < want.Length; i++)
            {
                double expected = relu ? Math.Max(0, want[i]) : want[i];
                Assert.True(Math.Abs(y[i] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"width {width} relu {relu} [{i}]: got {y[i]}, want {expected}");
            }
            for (int i = want.Length; i < y.Length; i++) Assert.Equal(42f, y[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardReluMaxPoolMatchesSeparateKernels(int width, int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        const int batch = 3;
        var rng = new Rng((ulong)(shapeIndex * 71 + width));
        float[] x = GemmTests.Random(rng, batch * s.InputSize + 3);
        float[] w = GemmTests.Random(rng, s.WeightCount + 2);
        float[] bias = GemmTests.Random(rng, s.Filters + 1);
        double[] conv = Reference(s, x, w, bias, batch);
        // 2×2 stride 2 (fused where the shapes allow), and 3×3 stride 2 (always the separate kernels).
        foreach (var (size, stride) in new[] { (2, 2), (3, 2) })
        {
            if (s.OutHeight < size || s.OutWidth < size) continue;
            var pool = new PoolShape(s.Filters, s.OutHeight, s.OutWidth, size, size, stride, stride);
            int n = batch * s.Filters * pool.OutHeight * pool.OutWidth;
            var want = new float[n];
            var separate = new float[batch * s.OutputSize];
            Convolution.ForwardWidth(x, w, bias, separate, new float[Convolution.WorkspaceLength(s)], s, batch, relu: true, width);
            Pooling.MaxForwardWidth(separate, want, new int[n], pool, batch, width);

            var got = new float[n + 5];
            Array.Fill(got, 42f);
            Convolution.ForwardReluMaxPoolWidth(x, w, bias, new float[batch * s.OutputSize], got, new int[n], new float[Convolution.WorkspaceLength(s)], s, pool, batch, width);
            bool winograd = Convolution.PooledByWinograd(s, pool, width);
            for (int i = 0; i < n; i++)
            {
                Assert.True(SameAsSeparateKernels(got[i], want[i], winograd), $"width {width} pool {size}/{stride} [{i}]: got {got[i]}, separate kernels {want[i]}");
                // And against the naive convolution: the pooled ReLU output.
                int q = i / (pool.OutHeight * pool.OutWidth), r = i % (pool.OutHeight * pool.OutWidth);
                int py = r / pool.OutWidth, px = r % pool.OutWidth;
                double max = 0;
                for (int a = 0; a < size; a++)
                    for (int c = 0; c < size; c++)
                        max = Math.Max(max, conv[q * s.OutHeight * s.OutWidth + (py * stride + a) * s.OutWidth + px * stride + c]);
                Assert.True(Math.Abs(got[i] - max) <= 1e-4 * (1 + max), $"width {width} pool {size}/{stride} [{i}]: got {got[i]}, want {max}");
            }
            for (int i = n; i < got.Length; i++) Assert.Equal(42f, got[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardReluMaxPoolWithIndicesRecordsWhatTheSeparateKernelsRecord(int width, int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        const int batch = 3;
        var rng = new Rng((ulong)(shapeIndex * 53 + width + 1));
        float[] x = GemmTests.Random(rng, batch * s.InputSize), w = GemmTests.Random(rng, s.WeightCount), bias = GemmTests.Random(rng, s.Filters);
        foreach (var (size, stride) in new[] { (2, 2), (3, 2) })
        {
            if (s.OutHeight < size || s.OutWidth < size) continue;
            var pool = new PoolShape(s.Filters, s.OutHeight, s.OutWidth, size, size, stride, stride);
            int n = batch * pool.OutputSize, pixels = pool.OutHeight * pool.OutWidth;
            var conv = new float[batch * s.OutputSize];
            var want = new float[n];
            var wantIndices = new int[n];
            Convolution.ForwardWidth(x, w, bias, conv, new float[Convolution.WorkspaceLength(s)], s, batch, relu: true, width);
            Pooling.MaxForwardWidth(conv, want, wantIndices, pool, batch, width);

            var got = new float[n + 2];
            var indices = new int[n + 2];
            Array.Fill(got, 42f);
            Array.Fill(indices, -7);
            Convolution.ForwardReluMaxPoolWithIndicesWidth(x, w, bias, new float[batch * s.OutputSize], got, indices, new float[Convolution.WorkspaceLength(s)], s, pool, batch, width);
            var inference = new float[n];
            Convolution.ForwardReluMaxPoolWidth(x, w, bias, new float[batch * s.OutputSize], inference, new int[n], new float[Convolution.WorkspaceLength(s)], s, pool, batch, width);
            bool winograd = Convolution.PooledByWinograd(s, pool, width);
            for (int i = 0; i < n; i++)
            {
                string at = $"width {width} pool {size}/{stride} [{i}]";
                Assert.True(inference[i] == got[i], $"{at}: training {got[i]}, inference {inference[i]} (the same kernel must give the same bits)");
                Assert.True(SameAsSeparateKernels(got[i], want[i], winograd), $"{at}: got {got[i]}, separate kernels {want[i]}");
                if (!winograd)
                {
                    Assert.Equal(wantIndices[i], indices[i]);
                    continue;
                }

                // Winograd rounds differently, so a near tie may pick the other position: the index must lie in the
                // window, point at a maximum to rounding, and be the window's first position when everything is zero.
                int map = i / pixels, py = i % pixels / pool.OutWidth, px = i % pool.OutWidth;
                int first = (map * s.OutHeight * s.OutWidth) + (py * stride * s.OutWidth) + (px * stride);
                int dy = (indices[i] - first) / s.OutWidth, dx = (indices[i] - first) % s.OutWidth;
                Assert.True(indices[i] >= first && dy < size && dx >= 0 && dx < size, $"{at}: index {indices[i]} outside the window at {first}");
                Assert.True(SameAsSeparateKernels(conv[indices[i]], want[i], winograd), $"{at}: the output at index {indices[i]} is {conv[indices[i]]}, the window's maximum {want[i]}");
                if (got[i] == 0f) Assert.Equal(first, indices[i]);
            }
            for (int i = n; i < got.Length; i++)
            {
                Assert.Equal(42f, got[i]);
                Assert.Equal(-7, indices[i]);
            }
        }
    }

    [Fact]
    public void PooledForwardFollowsWeightsThatChangeBetweenCalls()
    {
        // The pixel-major and Winograd kernels reuse their tap-major copy of the weights while they are bit-for-bit the
        // ones seen last on this thread: a changed weight, and another layer whose weights happen to start with the same
        // values but whose shape differs, must both be transposed again.
        ConvShape big = Shape(0), small = Shape(13); // 32 filters, then 16 filters: 288 and 144 weights (Winograd at AVX-512)
        var rng = new Rng(17);
        float[] x = GemmTests.Random(rng, big.InputSize + small.InputSize);
        float[] w = GemmTests.Random(rng, big.WeightCount), bias = GemmTests.Random(rng, big.Filters);
        AssertPooledMatchesSeparateKernels(big, x, w, bias, "first call");
        w[5] += 0.5f;
        AssertPooledMatchesSeparateKernels(big, x, w, bias, "a weight changed in place");
        w[5] = -0f;
        AssertPooledMatchesSeparateKernels(big, x, w, bias, "a weight set to -0");
        AssertPooledMatchesSeparateKernels(small, x, w[..small.WeightCount], bias, "a smaller layer whose weights match the start of the last ones");
        AssertPooledMatchesSeparateKernels(big, x, w, bias, "the first layer again");
    }

    private static void AssertPooledMatchesSeparateKernels(ConvShape s, float[] x, float[] w, float[] bias, string what)
    {
        var pool = new PoolShape(s.Filters, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        int n = s.Filters * pool.OutHeight * pool.OutWidth;
        var separate = new float[s.OutputSize];
        var want = new float[n];
        Convolution.ForwardWidth(x, w, bias, separate, new float[Convolution.WorkspaceLength(s)], s, 1, relu: true, 16);
        Pooling.MaxForwardWidth(separate, want, new int[n], pool, 1, 16);
        var got = new float[n];
        Convolution.ForwardReluMaxPool(x, w, bias, new float[s.OutputSize], got, new int[n], new float[Convolution.WorkspaceLength(s)], s, pool, 1);
        bool winograd = Convolution.PooledByWinograd(s, pool, int.MaxValue);
        for (int i = 0; i < n; i++)
            Assert.True(SameAsSeparateKernels(got[i], want[i], winograd), $"{what} [{i}]: got {got[i]}, separate kernels {want[i]}");
    }

    /// <summary>
    /// The direct fused kernels give the separate kernels' bits; Winograd's transforms round differently, so its values
    /// are held to within rounding of them (a wrong or missing term is off by the size of an input times a weight).
    /// </summary>
    private static bool SameAsSeparateKernels(float got, float want, bool winograd) =>
        winograd ? Math.Abs(got - want) <= 1e-5 * (1 + Math.Abs(want)) : got == want;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]   // 24 pooled columns: the phase planes gathered element by element
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(12)]  // three channels, 48 filters, odd output sizes
    public void BackwardWeightsFromMaxPoolMatchesTheSeparateKernels(int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        var rng = new Rng((ulong)(shapeIndex * 389 + 11));
        foreach (var (size, stride) in new[] { (2, 2), (3, 2), (2, 1) })
        {
            if (s.OutHeight < size || s.OutWidth < size) continue;
            const int batch = 3;
            var pool = new PoolShape(s.Filters, s.OutHeight, s.OutWidth, size, size, stride, stride);
            float[] x = GemmTests.Random(rng, batch * s.InputSize), w = GemmTests.Random(rng, s.WeightCount), bias = GemmTests.Random(rng, s.Filters);
            var conv = new float[batch * s.OutputSize];
            var pooled = new float[batch * pool.OutputSize];
            var indices = new int[pooled.Length];
            Convolution.ForwardRelu(x, w, bias, conv, new float[Convolution.WorkspaceLength(s)], s, batch);
            Pooling.MaxForward(conv, pooled, indices, pool, batch);
            float[] dPooled = GemmTests.Random(rng, pooled.Length);
            float[] dw0 = GemmTests.Random(rng, s.WeightCount), db0 = GemmTests.Random(rng, s.Filters);

            float[] wantW = (float[])dw0.Clone(), wantB = (float[])db0.Clone();
            var dConv = new float[conv.Length];
            Pooling.MaxBackwardRelu(dPooled, pooled, indices, dConv, pool, batch);
            Convolution.BackwardWeights(dConv, x, wantW, wantB, new float[Convolution.WorkspaceLength(s)], s, batch);

            float[] gotW = (float[])dw0.Clone(), gotB = (float[])db0.Clone();
            Convolution.BackwardWeightsFromMaxPool(dPooled, pooled, indices, x, gotW, gotB, new float[conv.Length], new float[Convolution.WorkspaceLength(s)], s, pool, batch);
            for (int i = 0; i < wantW.Length; i++)
                Assert.True(Math.Abs(gotW[i] - wantW[i]) <= 1e-4f * (1 + Math.Abs(wantW[i])), $"pool {size}/{stride} weight {i}: {gotW[i]} vs {wantW[i]}");
            for (int i = 0; i < wantB.Length; i++)
                Assert.True(Math.Abs(gotB[i] - wantB[i]) <= 1e-4f * (1 + Math.Abs(wantB[i])), $"pool {size}/{stride} bias {i}: {gotB[i]} vs {wantB[i]}");
        }
    }

    [Fact]
    public void ForwardReluMaxPoolRejectsMismatchedPoolShape()
    {
        ConvShape s = Shape(0);
        var pool = new PoolShape(s.Filters, s.OutHeight + 1, s.OutWidth, 2, 2, 2, 2);
        Assert.Throws<ArgumentException>(() => Convolution.ForwardReluMaxPool(new float[s.InputSize], new float[s.WeightCount], new float[s.Filters],
            new float[s.OutputSize], new float[s.OutputSize], new int[s.OutputSize], new float[Convolution.WorkspaceLength(s)], s, pool, 1));
    }

    [Theory]
    [InlineData(0)]   // Winograd's kernel (on AVX-512)
    [InlineData(17)]  // the separate kernels in training (not 3×3)
    public void ForwardReluMaxPoolWithIndicesRejectsShortSpansBeforeWriting(int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        var pool = new PoolShape(s.Filters, s.OutHeight, s.OutWidth, 2, 2, 2, 2);
        const int batch = 2;
        int n = batch * pool.OutputSize;
        float[] x = new float[batch * s.InputSize], w = new float[s.WeightCount], bias = new float[s.Filters];
        var pooled = new float[n];
        Array.Fill(pooled, 42f);
        var indices = new int[n - 1];
        var e = Assert.Throws<ArgumentException>(() => Convolution.ForwardReluMaxPoolWithIndices(x, w, bias, new float[batch * s.OutputSize], pooled, indices,
            new float[Convolution.WorkspaceLength(s)], s, pool, batch));
        Assert.Equal("argmax", e.ParamName);
        Assert.All(pooled, v => Assert.Equal(42f, v));
        Assert.Throws<ArgumentException>(() => Convolution.ForwardReluMaxPoolWithIndices(x[..^1], w, bias, new float[batch * s.OutputSize], pooled, new int[n],
            new float[Convolution.WorkspaceLength(s)], s, pool, batch));
        Assert.All(pooled, v => Assert.Equal(42f, v));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeightsMatchesReference(int width, int shapeIndex)
    {
        ConvShape s = Shape(shapeIndex);
        const int batch = 3;
        var rng = new Rng((ulong)(shapeIndex * 733 + width + 5));
        float[] x = GemmTests.Random(rng, batch * s.InputSize + 3);
        float[] dy = GemmTests.Random(rng, batch * s.OutputSize + 3);
        float[] dw = GemmTests.Random(rng, s.WeightCount + 2);
        float[] db = GemmTests.Random(rng, s.Filters + 2);
        float[] dw0 = (float[])dw.Clone(), db0 = (float[])db.Clone();
        Convolution.BackwardWeightsWidth(dy, x, dw, db, new float[Convolution.WorkspaceLength(s)], s, batch, width);

        int oh = s.OutHeight, ow = s.OutWidth, k = s.KernelHeight * s.KernelWidth;
        for (int f = 0; f < s.Filters; f++)
        {
            double bsum = db0[f];
            for (int b = 0; b < batch; b++)
                for (int o = 0; o < oh * ow; o++) bsum += dy[b * s.OutputSize + f * oh * ow + o];
            Assert.True(Math.Abs(db[f] - bsum) <= 1e-4 * (1 + Math.Abs(bsum)), $"width {width} bias {f}: got {db[f]}, want {bsum}");
            for (int c = 0; c < s.Channels; c++)
                for (int i = 0; i < s.KernelHeight; i++)
                    for (int j = 0; j < s.KernelWidth; j++)
                    {
                        int at = f * s.PatchSize + c * k + i * s.KernelWidth + j;
                        double sum = dw0[at];
                        for (int b = 0; b < batch; b++)
                            for (int oy = 0; oy < oh; oy++)
                                for (int ox = 0; ox < ow; ox++)
                                    sum += dy[b * s.OutputSize + (f * oh + oy) * ow + ox] * (double)Input(s, x, b, c, oy * s.StrideY - s.PadY + i, ox * s.StrideX - s.PadX + j);
                        Assert.True(Math.Abs(dw[at] - sum) <= 1e-4 * (1 + Math.Abs(sum)), $"width {width} weight {at}: got {dw[at]}, want {sum}");
                    }
        }
        Assert.Equal(dw0[^2..], dw[^2..]);
        Assert.Equal(db0[s.Filters..], db[s.Filters..]);
    }

    private static float Input(in ConvShape s, float[] x, int b, int c, int y, int xx) =>
        y < 0 || y >= s.Height || xx < 0 || xx >= s.Width ? 0f : x[b * s.InputSize + (c * s.Height + y) * s.Width + xx];

    internal static double[] Reference(in ConvShape s, float[] x, float[] w, float[] bias, int batch)
    {
        int oh = s.OutHeight, ow = s.OutWidth;
        var y = new double[batch * s.OutputSize];
        for (int b = 0; b < batch; b++)
            for (int f = 0; f < s.Filters; f++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double sum = bias[f];
                        for (int c = 0; c < s.Channels; c++)
                            for (int i = 0; i < s.KernelHeight; i++)
                                for (int j = 0; j < s.KernelWidth; j++)
                                    sum += w[((f * s.Channels + c) * s.KernelHeight + i) * s.KernelWidth + j]
                                        * (double)Input(s, x, b, c, oy * s.StrideY - s.PadY + i, ox * s.StrideX - s.PadX + j);
                        y[b * s.OutputSize + (f * oh + oy) * ow + ox] = sum;
                    }
        return y;
    }
}
