using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Inference-only fusion of a stride-1 unpadded ReLU convolution with the 2×2 stride-2 max pooling after it: each
    // step computes two output rows × one vector of columns for four filters (16 accumulators), takes the max of
    // the two rows, then of neighbouring columns, applies the ReLU and stores only the pooled outputs. With AVX-512
    // and short rows (9–16 pooled outputs, 2·W + … ≤ 48 input-grid positions, e.g. the 20×20 shapes CNN) the two rows
    // are computed as one run of the input grid in three vectors for eight filters at a time (Convolution.Flat.cs);
    // rows of 9–12 pooled outputs otherwise take a 16-lane plus an 8-lane step. No F×OH×OW
    // intermediate and no arg-max indices (training records them with ForwardReluMaxPoolWithIndices: Winograd's kernel
    // where it fits, the separate kernels otherwise). The convolution sums are formed in
    // the same order as DirectForward's and max is exact, so the pooled values equal ForwardRelu + MaxForward's;
    // except with 3×3 filters (a multiple of 16) on AVX-512, where Winograd's F(2, 3) (Convolution.Winograd.cs)
    // takes fewer multiply-adds and rounds differently.

    /// <summary>
    /// pooled = MaxPool(max(0, conv(x, weights) + bias)) for a whole batch, for inference: the convolution, its ReLU and
    /// a max pooling in one pass when the shapes allow (stride-1 unpadded convolution, 2×2 stride-2 pooling, SIMD);
    /// otherwise <see cref="ForwardRelu"/> into <paramref name="convOutput"/> then <see cref="Pooling.MaxForward"/>.
    /// </summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="weights">Filters, F×C×KH×KW.</param>
    /// <param name="bias">One bias per filter, F.</param>
    /// <param name="convOutput">Scratch for the unfused path, batch × F×OutHeight×OutWidth (contents unspecified afterwards).</param>
    /// <param name="pooled">Output, batch × F×pool.OutHeight×pool.OutWidth (overwritten).</param>
    /// <param name="argmax">Scratch for the unfused path's arg-max indices, batch × F×pool.OutHeight×pool.OutWidth (contents unspecified afterwards).</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="pool">Pooling shape over the convolution's output (F×OutHeight×OutWidth).</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">A shape is invalid or mismatched, or a span is too short.</exception>
    public static void ForwardReluMaxPool(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> convOutput,
        Span<float> pooled, Span<int> argmax, Span<float> workspace, in ConvShape s, in PoolShape pool, int batch)
        => ForwardReluMaxPoolWidth(x, weights, bias, convOutput, pooled, argmax, workspace, s, pool, batch, int.MaxValue);

    internal static void ForwardReluMaxPoolWidth(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> convOutput,
        Span<float> pooled, Span<int> argmax, Span<float> workspace, in ConvShape s, in PoolShape pool, int batch, int maxWidth)
    {
        CheckPoolOverConv(s, pool);
        bool winograd = PooledByWinograd(s, pool, maxWidth);
        int width = winograd ? 16 : PooledWidth(s, pool, maxWidth);
        if (width == 0)
        {
            ForwardWidth(x, weights, bias, convOutput, workspace, s, batch, relu: true, maxWidth);
            Pooling.MaxForwardWidth(convOutput, pooled, argmax, pool, batch, maxWidth);
            return;
        }

        CheckPooledSpans(x, weights, bias, pooled, s, pool, batch);
        if (batch == 0) return;
        if (winograd)
        {
            ForwardWinograd<WithoutIndices>(x, weights, bias, pooled, default, s, pool, batch);
            return;
        }

        if (width == 16 && PixelMajorFits(s, pool))
        {
            ForwardPixelMajor(x, weights, bias, pooled, s, pool, batch);
            return;
        }

        ref float rx = ref MemoryMarshal.GetReference(x), rw = ref MemoryMarshal.GetReference(weights), rb = ref MemoryMarshal.GetReference(bias);
        ref float ry = ref MemoryMarshal.GetReference(pooled);
        if (width == 16) PooledForward<Ops512, Vector512<float>>(ref rx, ref rw, ref rb, ref ry, s, pool, batch);
        else PooledForward<Ops256, Vector256<float>>(ref rx, ref rw, ref rb, ref ry, s, pool, batch);
    }

    /// <summary>
    /// Whether <see cref="ForwardReluMaxPoolPixelMajor"/> takes these shapes on this machine: those of Winograd's kernel
    /// (3×3 filters, a multiple of 16 of them, stride-1 unpadded convolution, 2×2 stride-2 pooling, AVX-512).
    /// </summary>
    public static bool PixelMajorPoolingSupported(in ConvShape s, in PoolShape pool) => PooledByWinograd(s, pool, int.MaxValue);

    /// <summary>
    /// <see cref="ForwardReluMaxPool"/> with each example's pooled outputs pixel-major, [pool.OutHeight·pool.OutWidth ×
    /// F] (all filters of a pixel together), the order Winograd's kernel produces: no transposition into channel-major
    /// order. For a consumer that reads its input in that order, e.g. a dense layer whose weights were packed
    /// pixel-major (<see cref="Linear.Pack"/> with channels). The values are those of ForwardReluMaxPool's, bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">A shape is invalid or mismatched, or a span is too short.</exception>
    /// <exception cref="NotSupportedException">The shapes or the machine do not allow it (<see cref="PixelMajorPoolingSupported"/>).</exception>
    public static void ForwardReluMaxPoolPixelMajor(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> pooled, in ConvShape s, in PoolShape pool, int batch)
    {
        CheckPoolOverConv(s, pool);
        if (!PixelMajorPoolingSupported(s, pool)) throw new NotSupportedException("Pixel-major pooled outputs need Winograd's kernel: 3×3 filters, a multiple of 16 of them, stride 1, no padding, 2×2 pooling, AVX-512.");
        CheckPooledSpans(x, weights, bias, pooled, s, pool, batch);
        if (batch == 0) return;
        ForwardWinograd<WithoutIndices>(x, weights, bias, pooled, default, s, pool, batch, pixelMajor: true);
    }

    /// <summary>
    /// pooled = MaxPool(max(0, conv(x, weights) + bias)) and each window's arg-max, for training: what
    /// <see cref="ForwardRelu"/> followed by <see cref="Pooling.MaxForward"/> record (the index into the batch's
    /// convolution output of the first maximum of the ReLU outputs in row-major window order), in one pass without the
    /// full-size output where Winograd's kernel takes the shapes (3×3 filters, a multiple of 16
    /// filters, stride-1 unpadded convolution, 2×2 stride-2 pooling, AVX-512); otherwise exactly those two kernels,
    /// through <paramref name="convOutput"/>. Nothing in the backward pass of a ReLU convolution under a max pooling
    /// reads the full-size output: <see cref="Pooling.MaxBackwardRelu"/> and
    /// <see cref="BackwardWeightsFromMaxPool"/> need only the pooled values and the indices.
    /// </summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="weights">Filters, F×C×KH×KW.</param>
    /// <param name="bias">One bias per filter, F.</param>
    /// <param name="convOutput">Scratch for the two-kernel path, batch × F×OutHeight×OutWidth (contents unspecified afterwards).</param>
    /// <param name="pooled">Output, batch × F×pool.OutHeight×pool.OutWidth (overwritten).</param>
    /// <param name="argmax">Per pooled output, the index of its maximum in the batch's convolution output (overwritten).</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="pool">Pooling shape over the convolution's output (F×OutHeight×OutWidth).</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">A shape is invalid or mismatched, or a span is too short.</exception>
    public static void ForwardReluMaxPoolWithIndices(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> convOutput,
        Span<float> pooled, Span<int> argmax, Span<float> workspace, in ConvShape s, in PoolShape pool, int batch)
        => ForwardReluMaxPoolWithIndicesWidth(x, weights, bias, convOutput, pooled, argmax, workspace, s, pool, batch, int.MaxValue);

    internal static void ForwardReluMaxPoolWithIndicesWidth(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> convOutput,
        Span<float> pooled, Span<int> argmax, Span<float> workspace, in ConvShape s, in PoolShape pool, int batch, int maxWidth)
    {
        CheckPoolOverConv(s, pool);
        if (!PooledByWinograd(s, pool, maxWidth))
        {
            ForwardWidth(x, weights, bias, convOutput, workspace, s, batch, relu: true, maxWidth);
            Pooling.MaxForwardWidth(convOutput, pooled, argmax, pool, batch, maxWidth);
            return;
        }

        int pooledCount = CheckPooledSpans(x, weights, bias, pooled, s, pool, batch);
        KernelChecks.AtLeast(argmax.Length, pooledCount, nameof(argmax));
        KernelChecks.Elements(batch, s.OutputSize); // the indices address the whole batch's output: it must be indexable
        if (batch == 0) return;
        ForwardWinograd<WithIndices>(x, weights, bias, pooled, argmax, s, pool, batch);
    }

    /// <summary>A valid pooling shape over exactly the convolution's output.</summary>
    private static void CheckPoolOverConv(in ConvShape s, in PoolShape pool)
    {
        pool.Validate();
        if (pool.Channels != s.Filters || pool.Height != s.OutHeight || pool.Width != s.OutWidth)
            throw new ArgumentException("The pooling shape does not match the convolution's output.", nameof(pool));
    }

    /// <summary>The one-pass kernels' shape and span checks; returns the number of pooled outputs.</summary>
    private static int CheckPooledSpans(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> pooled,
        in ConvShape s, in PoolShape pool, int batch)
    {
        CheckShape(s, batch);
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(batch, s.InputSize), nameof(x));
        KernelChecks.AtLeast(weights.Length, s.WeightCount, nameof(weights));
        KernelChecks.AtLeast(bias.Length, s.Filters, nameof(bias));
        int pooledCount = KernelChecks.Elements(batch, pool.OutputSize);
        KernelChecks.AtLeast(pooled.Length, pooledCount, nameof(pooled));
        return pooledCount;
    }

    /// <summary>Every example through <see cref="PooledPixelMajor"/> (sizes checked by the caller).</summary>
    private static unsafe void ForwardPixelMajor(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> pooled, in ConvShape s, in PoolShape pool, int batch)
    {
        int pooledSize = s.Filters * pool.OutHeight * pool.OutWidth;
        ReadOnlySpan<float> tapMajor = TapMajor(weights, s.Filters, s.PatchSize);
        Span<float> scratch = CellKernels.Scratch(PixelMajorScratch(s, pool));
        fixed (float* px = x, pw = tapMajor, pb = bias, py = pooled, ps = scratch)
        {
            for (int b = 0; b < batch; b++)
                PooledPixelMajor(px + ((nint)b * s.InputSize), pw, pb, py + ((nint)b * pooledSize), ps, s, pool);
        }
    }

    /// <summary>Whether the fused kernel runs Winograd's (Convolution.Winograd.cs) for these shapes and widths.</summary>
    internal static bool PooledByWinograd(in ConvShape s, in PoolShape pool, int maxWidth) =>
        maxWidth >= 16 && Fusable(s, pool) && WinogradFits(s);

    /// <summary>Whether the shapes allow the fused kernels: a stride-1 unpadded convolution, 2×2 stride-2 pooling.</summary>
    private static bool Fusable(in ConvShape s, in PoolShape pool) =>
        s.StrideX == 1 && s.StrideY == 1 && s.PadX == 0 && s.PadY == 0
        && pool.PoolHeight == 2 && pool.PoolWidth == 2 && pool.StrideY == 2 && pool.StrideX == 2;

    /// <summary>Floats per vector the direct fused kernels use, or 0 when they do not apply.</summary>
    private static int PooledWidth(in ConvShape s, in PoolShape pool, int maxWidth)
    {
        if (!Fusable(s, pool)) return 0;
        int pw = pool.OutWidth;
        if (maxWidth >= 16 && Avx512F.IsSupported && 2 * pw >= 16) return 16;
        if (maxWidth >= 8 && Avx2.IsSupported && 2 * pw >= 8) return 8;
        return 0;
    }

    private static void PooledForward<TOps, TV>(ref float x, ref float w, ref float bias, ref float y, in ConvShape s, in PoolShape pool, int batch)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int half = TOps.Count / 2, f = s.Filters, p = s.PatchSize, inSize = s.InputSize;
        int ph = pool.OutHeight, pw = pool.OutWidth, outPlane = ph * pw, outSize = f * outPlane;
        // Steps of `half` pooled columns, two at a time; the last is shifted left to end at the row's end, and an odd
        // count repeats it.
        int steps = (pw + half - 1) / half;
        bool mixed = TOps.Count == 16 && pw > 8 && pw <= 12;
        bool flat = TOps.Count == 16 && pw > 8 && s.Width + 2 * pw <= 48;
        for (int b = 0; b < batch; b++)
        {
            ref float xb = ref Unsafe.Add(ref x, b * inSize);
            ref float yb = ref Unsafe.Add(ref y, b * outSize);
            for (int py = 0; py < ph; py++)
            {
                for (int st = 0; st < steps; st += 2)
                {
                    int q0 = Math.Min(st * half, pw - half);
                    int q1 = Math.Min((st + 1 < steps ? st + 1 : st) * half, pw - half);
                    int o = 0;
                    if (flat && FlatRowsFit(s, 2 * py))
                    {
                        // Both rows as one run of 2·W input-grid positions in three 16-lane vectors (reads stay in the plane).
                        var pooling = new PooledFlatRows(s.Width, pw);
                        for (; o + 8 <= f; o += 8)
                            EightFiltersFlat(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o),
                                ref Unsafe.Add(ref yb, o * outPlane + py * pw), s, 2 * py, outPlane, pooling);
                        for (; o + 4 <= f; o += 4)
                            FourFiltersFlat(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o),
                                ref Unsafe.Add(ref yb, o * outPlane + py * pw), s, 2 * py, outPlane, pooling);
                    }
                    if (mixed)
                    {
                        // One 16-lane step for pooled columns 0..7 and an 8-lane one for the last four: 24 lanes of
                        // work instead of 32 for rows of 9 to 12 pooled outputs.
                        for (; o + 4 <= f; o += 4)
                            FourFiltersPooledMixed(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o),
                                ref Unsafe.Add(ref yb, o * outPlane + py * pw), s, 2 * py, pw - 4, outPlane);
                    }
                    for (; o + 4 <= f; o += 4)
                        FourFiltersPooled<TOps, TV>(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o),
                            ref Unsafe.Add(ref yb, o * outPlane + py * pw), s, 2 * py, q0, q1, outPlane);
                    for (; o < f; o++)
                        OneFilterPooled<TOps, TV>(ref xb, ref Unsafe.Add(ref w, o * p), Unsafe.Add(ref bias, o),
                            ref Unsafe.Add(ref yb, o * outPlane + py * pw), s, 2 * py, q0, q1);
                }
            }
        }
    }

    private static void FourFiltersPooled<TOps, TV>(ref float xb, ref float w, ref float bias, ref float yRow, in ConvShape s,
        int oy, int q0, int q1, int outPlane)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw, p = s.PatchSize;
        int c0 = 2 * q0, c1 = 2 * q1;
        // a: row oy, b: row oy + 1; 0/1: column steps c0/c1; last digit: filter.
        TV a00 = TOps.Broadcast(bias), a01 = TOps.Broadcast(Unsafe.Add(ref bias, 1));
        TV a02 = TOps.Broadcast(Unsafe.Add(ref bias, 2)), a03 = TOps.Broadcast(Unsafe.Add(ref bias, 3));
        TV a10 = a00, a11 = a01, a12 = a02, a13 = a03;
        TV b00 = a00, b01 = a01, b02 = a02, b03 = a03, b10 = a00, b11 = a01, b12 = a02, b13 = a03;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    TV xa0 = TOps.Load(ref Unsafe.Add(ref row, c0 + j)), xa1 = TOps.Load(ref Unsafe.Add(ref row, c1 + j));
                    TV xb0 = TOps.Load(ref Unsafe.Add(ref row, iw + c0 + j)), xb1 = TOps.Load(ref Unsafe.Add(ref row, iw + c1 + j));
                    TV v = TOps.Broadcast(wk);
                    a00 = TOps.MultiplyAdd(xa0, v, a00); a10 = TOps.MultiplyAdd(xa1, v, a10);
                    b00 = TOps.MultiplyAdd(xb0, v, b00); b10 = TOps.MultiplyAdd(xb1, v, b10);
                    v = TOps.Broadcast(Unsafe.Add(ref wk, p));
                    a01 = TOps.MultiplyAdd(xa0, v, a01); a11 = TOps.MultiplyAdd(xa1, v, a11);
                    b01 = TOps.MultiplyAdd(xb0, v, b01); b11 = TOps.MultiplyAdd(xb1, v, b11);
                    v = TOps.Broadcast(Unsafe.Add(ref wk, 2 * p));
                    a02 = TOps.MultiplyAdd(xa0, v, a02); a12 = TOps.MultiplyAdd(xa1, v, a12);
                    b02 = TOps.MultiplyAdd(xb0, v, b02); b12 = TOps.MultiplyAdd(xb1, v, b12);
                    v = TOps.Broadcast(Unsafe.Add(ref wk, 3 * p));
                    a03 = TOps.MultiplyAdd(xa0, v, a03); a13 = TOps.MultiplyAdd(xa1, v, a13);
                    b03 = TOps.MultiplyAdd(xb0, v, b03); b13 = TOps.MultiplyAdd(xb1, v, b13);
                }
            }
        }
        PoolPair<TOps, TV>(a00, b00, a01, b01, ref Unsafe.Add(ref yRow, q0), ref Unsafe.Add(ref yRow, outPlane + q0));
        PoolPair<TOps, TV>(a10, b10, a11, b11, ref Unsafe.Add(ref yRow, q1), ref Unsafe.Add(ref yRow, outPlane + q1));
        PoolPair<TOps, TV>(a02, b02, a03, b03, ref Unsafe.Add(ref yRow, 2 * outPlane + q0), ref Unsafe.Add(ref yRow, 3 * outPlane + q0));
        PoolPair<TOps, TV>(a12, b12, a13, b13, ref Unsafe.Add(ref yRow, 2 * outPlane + q1), ref Unsafe.Add(ref yRow, 3 * outPlane + q1));
    }

    // FourFiltersPooled with a 16-lane step at pooled column 0 and an 8-lane step at pooled column q1.
    private static void FourFiltersPooledMixed(ref float xb, ref float w, ref float bias, ref float yRow, in ConvShape s,
        int oy, int q1, int outPlane)
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw, p = s.PatchSize;
        int c1 = 2 * q1;
        Vector512<float> a00 = Vector512.Create(bias), a01 = Vector512.Create(Unsafe.Add(ref bias, 1));
        Vector512<float> a02 = Vector512.Create(Unsafe.Add(ref bias, 2)), a03 = Vector512.Create(Unsafe.Add(ref bias, 3));
        Vector512<float> b00 = a00, b01 = a01, b02 = a02, b03 = a03;
        Vector256<float> a10 = a00.GetLower(), a11 = a01.GetLower(), a12 = a02.GetLower(), a13 = a03.GetLower();
        Vector256<float> b10 = a10, b11 = a11, b12 = a12, b13 = a13;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    Vector512<float> xa0 = Vector512.LoadUnsafe(ref row, (nuint)j), xb0 = Vector512.LoadUnsafe(ref row, (nuint)(iw + j));
                    Vector256<float> xa1 = Vector256.LoadUnsafe(ref row, (nuint)(c1 + j)), xb1 = Vector256.LoadUnsafe(ref row, (nuint)(iw + c1 + j));
                    Vector512<float> v = Vector512.Create(wk);
                    a00 = Ops512.MultiplyAdd(xa0, v, a00); b00 = Ops512.MultiplyAdd(xb0, v, b00);
                    a10 = Ops256.MultiplyAdd(xa1, v.GetLower(), a10); b10 = Ops256.MultiplyAdd(xb1, v.GetLower(), b10);
                    v = Vector512.Create(Unsafe.Add(ref wk, p));
                    a01 = Ops512.MultiplyAdd(xa0, v, a01); b01 = Ops512.MultiplyAdd(xb0, v, b01);
                    a11 = Ops256.MultiplyAdd(xa1, v.GetLower(), a11); b11 = Ops256.MultiplyAdd(xb1, v.GetLower(), b11);
                    v = Vector512.Create(Unsafe.Add(ref wk, 2 * p));
                    a02 = Ops512.MultiplyAdd(xa0, v, a02); b02 = Ops512.MultiplyAdd(xb0, v, b02);
                    a12 = Ops256.MultiplyAdd(xa1, v.GetLower(), a12); b12 = Ops256.MultiplyAdd(xb1, v.GetLower(), b12);
                    v = Vector512.Create(Unsafe.Add(ref wk, 3 * p));
                    a03 = Ops512.MultiplyAdd(xa0, v, a03); b03 = Ops512.MultiplyAdd(xb0, v, b03);
                    a13 = Ops256.MultiplyAdd(xa1, v.GetLower(), a13); b13 = Ops256.MultiplyAdd(xb1, v.GetLower(), b13);
                }
            }
        }
        // The 8-lane step first: where the steps overlap, both write the same values.
        PoolPair<Ops256, Vector256<float>>(a10, b10, a11, b11, ref Unsafe.Add(ref yRow, q1), ref Unsafe.Add(ref yRow, outPlane + q1));
        PoolPair<Ops256, Vector256<float>>(a12, b12, a13, b13, ref Unsafe.Add(ref yRow, 2 * outPlane + q1), ref Unsafe.Add(ref yRow, 3 * outPlane + q1));
        PoolPair<Ops512, Vector512<float>>(a00, b00, a01, b01, ref yRow, ref Unsafe.Add(ref yRow, outPlane));
        PoolPair<Ops512, Vector512<float>>(a02, b02, a03, b03, ref Unsafe.Add(ref yRow, 2 * outPlane), ref Unsafe.Add(ref yRow, 3 * outPlane));
    }

    private static void OneFilterPooled<TOps, TV>(ref float xb, ref float w, float bias, ref float yRow, in ConvShape s, int oy, int q0, int q1)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw;
        int c0 = 2 * q0, c1 = 2 * q1;
        TV a0 = TOps.Broadcast(bias), a1 = a0, b0 = a0, b1 = a0;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    TV v = TOps.Broadcast(wk);
                    a0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, c0 + j)), v, a0);
                    a1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, c1 + j)), v, a1);
                    b0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, iw + c0 + j)), v, b0);
                    b1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, iw + c1 + j)), v, b1);
                }
            }
        }
        // Step q1 first: when both steps are the same (or overlap), the stores agree anyway.
        PoolPair<TOps, TV>(a0, b0, a1, b1, ref yRow, ref Unsafe.Add(ref yRow, q1), q0);
    }

    // Pools two filters' (or two steps') two-row blocks: top/bottom rows (tA, bA) → `half` outputs at dA, (tB, bB) → dB.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PoolPair<TOps, TV>(TV tA, TV bA, TV tB, TV bB, ref float dA, ref float dB, int offsetA = 0)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        // Max is exact: any order gives the same value as MaxForward's first-maximum scan; the ReLU after it equals
        // the ReLU before it (max(0, ·) commutes with max).
        if (typeof(TV) == typeof(Vector512<float>))
        {
            Vector512<float> mA = Avx512F.Max((Vector512<float>)(object)tA, (Vector512<float>)(object)bA);
            Vector512<float> mB = Avx512F.Max((Vector512<float>)(object)tB, (Vector512<float>)(object)bB);
            Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            Vector512<int> odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
            Vector512<float> e = Avx512F.PermuteVar16x32x2(mA, evens, mB), d = Avx512F.PermuteVar16x32x2(mA, odds, mB);
            Vector512<float> r = Ops512.Max(Avx512F.Max(e, d), Vector512<float>.Zero);
            r.GetLower().StoreUnsafe(ref Unsafe.Add(ref dA, offsetA));
            r.GetUpper().StoreUnsafe(ref dB);
        }
        else
        {
            Vector256<float> mA = Avx.Max((Vector256<float>)(object)tA, (Vector256<float>)(object)bA);
            Vector256<float> mB = Avx.Max((Vector256<float>)(object)tB, (Vector256<float>)(object)bB);
            // [A0 A2 B0 B2 | A4 A6 B4 B6] and the odd columns likewise → pooled [a0 a1 b0 b1 | a2 a3 b2 b3].
            Vector256<float> m = Avx.Max(Avx.Shuffle(mA, mB, 0b10_00_10_00), Avx.Shuffle(mA, mB, 0b11_01_11_01));
            Vector256<float> r = Avx2.Permute4x64(m.AsDouble(), 0b11_01_10_00).AsSingle();
            r = Ops256.Max(r, Vector256<float>.Zero);
            r.GetLower().StoreUnsafe(ref Unsafe.Add(ref dA, offsetA));
            r.GetUpper().StoreUnsafe(ref dB);
        }
    }
}
