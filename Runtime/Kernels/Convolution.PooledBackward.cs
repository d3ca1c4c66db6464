using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // The training backward pass of a ReLU convolution whose output feeds a 2×2 stride-2 max pooling, when nothing
    // below the convolution needs an input gradient (it is the first layer): the weight and bias gradients straight
    // from the pooling's output gradient, window by window. Each pooling window passes its gradient g (where its
    // pooled value is positive: the ReLU's derivative) to one of its four positions, its arg-max (dy, dx):
    //   dW[f, ky, kx] += Σ_windows g · x[2·py + dy + ky, 2·px + dx + kx],
    // an input from the window's 4 × 4 patch at index 4·(dy + ky) + dx + kx. With 16 filters a vector (a lane each),
    // one permute of the patch, shifted by the tap's 4·ky + kx, by the lanes' 4·dy + dx picks every filter's input for
    // a tap, and one multiply-add takes it: 9 of each per window and 16 filters. The gradients and positions are
    // routed per example in [filter × window] order and transposed to [window × filter]; the convolution's output
    // gradient is never formed. For the shapes CNN's batch of 32 this is ~15% faster (medians of nine 100 ms
    // slices, two processes: 179–208 µs against 209–244) than the kernel it replaced, which multiplied a vector of windows by the
    // inputs at all four positions (three quarters of them against a zero). Other shapes take
    // Pooling.MaxBackwardRelu then BackwardWeights.

    /// <summary>
    /// weightGradient += ∂L/∂W and biasGradient += ∂L/∂bias of a ReLU convolution followed by a max pooling, from
    /// the pooling's output gradient: what <see cref="Pooling.MaxBackwardRelu"/> followed by <see cref="BackwardWeights"/>
    /// computes (to rounding), without writing the convolution's output gradient where the shapes allow (stride 1,
    /// no padding, 3×3 filters, 2×2 stride-2 pooling, AVX-512);
    /// otherwise exactly those two kernels. The arg-max indices must be those MaxForward recorded (each inside its
    /// own window), as for <see cref="Pooling.MaxBackwardRelu"/>.
    /// </summary>
    /// <param name="dPooled">Gradient w.r.t. the pooled output, batch × F×pool.OutHeight×pool.OutWidth.</param>
    /// <param name="pooled">The pooled output of the forward pass (the ReLU output at each arg-max).</param>
    /// <param name="argmax">The arg-max indices the forward pass recorded (into the batch's convolution output).</param>
    /// <param name="x">The convolution's forward input, batch × C×H×W.</param>
    /// <param name="weightGradient">Accumulated weight gradient, F×C×KH×KW.</param>
    /// <param name="biasGradient">Accumulated bias gradient, F.</param>
    /// <param name="convGradient">Scratch for the other shapes: the convolution's output gradient, batch × F×OutHeight×OutWidth.</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="pool">Pooling shape over the convolution's output.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">A shape is invalid or mismatched, or a span is too short.</exception>
    public static void BackwardWeightsFromMaxPool(ReadOnlySpan<float> dPooled, ReadOnlySpan<float> pooled, ReadOnlySpan<int> argmax,
        ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient, Span<float> convGradient, Span<float> workspace,
        in ConvShape s, in PoolShape pool, int batch)
    {
        CheckPoolOverConv(s, pool);
        int work = CheckShape(s, batch);
        int pooledCount = KernelChecks.Elements(batch, pool.OutputSize);
        KernelChecks.AtLeast(dPooled.Length, pooledCount, nameof(dPooled));
        KernelChecks.AtLeast(pooled.Length, pooledCount, nameof(pooled));
        KernelChecks.AtLeast(argmax.Length, pooledCount, nameof(argmax));
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(batch, s.InputSize), nameof(x));
        KernelChecks.AtLeast(weightGradient.Length, s.WeightCount, nameof(weightGradient));
        KernelChecks.AtLeast(biasGradient.Length, s.Filters, nameof(biasGradient));
        KernelChecks.AtLeast(convGradient.Length, KernelChecks.Elements(batch, s.OutputSize), nameof(convGradient));
        KernelChecks.AtLeast(workspace.Length, work, nameof(workspace));
        if (!WindowWeightsApply(s, pool))
        {
            Pooling.MaxBackwardRelu(dPooled, pooled, argmax, convGradient, pool, batch);
            BackwardWeights(convGradient, x, weightGradient, biasGradient, workspace, s, batch);
            return;
        }

        int f = s.Filters, c = s.Channels, windows = pool.OutHeight * pool.OutWidth;
        int paddedWindows = (windows + 15) & ~15, blocks = (f + 15) / 16, paddedFilters = 16 * blocks;
        int routed = KernelChecks.Elements(paddedFilters, paddedWindows), patches = c * PatchChunk * 9 * 16;
        int sumsLength = 16 * blocks * ((9 * c) + 1);
        Span<float> scratch = CellKernels.Scratch((4 * routed) + patches + sumsLength + paddedWindows); // nothing else uses it meanwhile
        Span<float> gradients = scratch.Slice(0, routed), gradientsT = scratch.Slice(routed, routed);
        Span<float> bases = scratch.Slice(2 * routed, routed), basesT = scratch.Slice(3 * routed, routed);
        Span<float> shifted = scratch.Slice(4 * routed, patches), sums = scratch.Slice((4 * routed) + patches, sumsLength);
        Span<int> starts = MemoryMarshal.Cast<float, int>(scratch.Slice((4 * routed) + patches + sumsLength, paddedWindows));
        gradients.Clear(); // the padding (filters from F, windows from the last one) stays zero
        bases.Clear();
        sums.Clear();
        for (int py = 0, w = 0; py < pool.OutHeight; py++)
            for (int px = 0; px < pool.OutWidth; px++, w++)
                starts[w] = (2 * py * s.OutWidth) + (2 * px); // each window's top-left output, as arg-max indices count
        for (int b = 0; b < batch; b++)
        {
            int first = b * pool.OutputSize, mapStart = b * s.OutputSize;
            RouteGradients(dPooled.Slice(first, pool.OutputSize), pooled.Slice(first, pool.OutputSize), argmax.Slice(first, pool.OutputSize),
                starts, gradients, MemoryMarshal.Cast<float, int>(bases), s, pool, mapStart, paddedWindows);
            CellKernels.Transpose(gradients, gradientsT, paddedFilters, paddedWindows);
            CellKernels.Transpose(bases, basesT, paddedFilters, paddedWindows);
            for (int w = 0; w < windows; w += PatchChunk)
            {
                // A chunk of windows at a time, so that its shifted patches stay in L1 for every block of filters.
                int count = Math.Min(PatchChunk, windows - w);
                ShiftedPatches(x.Slice(b * s.InputSize, s.InputSize), shifted, s, pool, w, count);
                for (int block = 0; block < blocks; block++)
                    for (int ch = 0; ch < c; ch++)
                        WindowsOneBlock(gradientsT.Slice((w * paddedFilters) + (16 * block)), MemoryMarshal.Cast<float, int>(basesT.Slice((w * paddedFilters) + (16 * block))),
                            paddedFilters, shifted.Slice(ch * PatchChunk * 9 * 16, count * 9 * 16), count,
                            sums.Slice(16 * ((block * ((9 * c) + 1)) + (9 * ch)), 16 * 9), sums.Slice(16 * ((block * ((9 * c) + 1)) + (9 * c)), 16), bias: ch == 0);
            }
        }

        // Fold the per-lane sums (lane = filter within its block) into the gradients.
        for (int o = 0; o < f; o++)
        {
            int block = o / 16, lane = o % 16, at = 16 * block * ((9 * c) + 1);
            for (int t = 0; t < 9 * c; t++)
                weightGradient[(o * s.PatchSize) + t] += sums[at + (16 * t) + lane];
            biasGradient[o] += sums[at + (16 * 9 * c) + lane];
        }
    }

    /// <summary>Windows whose shifted patches are made at a time (18 KB per channel).</summary>
    private const int PatchChunk = 32;

    /// <summary>True when <see cref="BackwardWeightsFromMaxPool"/> runs window by window.</summary>
    private static bool WindowWeightsApply(in ConvShape s, in PoolShape pool) =>
        Avx512F.IsSupported && s.StrideX == 1 && s.StrideY == 1 && s.PadX == 0 && s.PadY == 0
        && s.KernelHeight == 3 && s.KernelWidth == 3
        && pool.PoolHeight == 2 && pool.PoolWidth == 2 && pool.StrideY == 2 && pool.StrideX == 2;

    /// <summary>
    /// One example's routing, [filter × window] (windows padded to <paramref name="paddedWindows"/>): the gradient each
    /// window passes down (zero where the pooled value is not positive: the ReLU's derivative; or where the arg-max is
    /// not in the window, where MaxForward's arg-max never is) and where in its 4 × 4 input patch the arg-max position's
    /// 3 × 3 taps start: dy·4 + dx for the position (dy, dx), so tap (ky, kx) reads patch[base + 4·ky + kx].
    /// </summary>
    private static void RouteGradients(ReadOnlySpan<float> dPooled, ReadOnlySpan<float> pooled, ReadOnlySpan<int> argmax, ReadOnlySpan<int> starts,
        Span<float> gradients, Span<int> bases, in ConvShape s, in PoolShape pool, int mapStart, int paddedWindows)
    {
        int ow = s.OutWidth, windows = pool.OutHeight * pool.OutWidth, vectors = windows < 16 ? 0 : (windows + 15) / 16, map = s.OutHeight * ow;
        ref float rg = ref MemoryMarshal.GetReference(dPooled), ry = ref MemoryMarshal.GetReference(pooled);
        ref int ra = ref MemoryMarshal.GetReference(argmax), rs = ref MemoryMarshal.GetReference(starts);
        ref float to = ref MemoryMarshal.GetReference(gradients);
        ref int tb = ref MemoryMarshal.GetReference(bases);
        Vector512<int> right = Vector512.Create(1), below = Vector512.Create(ow), belowRight = Vector512.Create(ow + 1), lower = Vector512.Create(4 - ow);
        for (int o = 0; o < s.Filters; o++)
        {
            int row = o * windows, into = o * paddedWindows, origin = mapStart + (o * map);
            for (int v = 0; v < vectors; v++)
            {
                int w = Math.Min(16 * v, windows - 16); // the last vector ends at the last window (rewriting some)
                Vector512<int> rel = Vector512.LoadUnsafe(ref ra, (nuint)(row + w)) - (Vector512.LoadUnsafe(ref rs, (nuint)w) + Vector512.Create(origin));
                Vector512<int> valid = Vector512.Equals(rel, Vector512<int>.Zero) | Vector512.Equals(rel, right) | Vector512.Equals(rel, below) | Vector512.Equals(rel, belowRight);
                Vector512<float> g = Vector512.LoadUnsafe(ref rg, (nuint)(row + w)) & Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, (nuint)(row + w)), Vector512<float>.Zero);
                (g & valid.AsSingle()).StoreUnsafe(ref to, (nuint)(into + w));
                ((rel + (Vector512.GreaterThanOrEqual(rel, below) & lower)) & valid).StoreUnsafe(ref tb, (nuint)(into + w));
            }

            for (int w = windows < 16 ? 0 : windows; w < windows; w++)
            {
                int rel = Unsafe.Add(ref ra, row + w) - (origin + Unsafe.Add(ref rs, w));
                bool valid = rel == 0 || rel == 1 || rel == ow || rel == ow + 1;
                Unsafe.Add(ref to, into + w) = valid && Unsafe.Add(ref ry, row + w) > 0f ? Unsafe.Add(ref rg, row + w) : 0f;
                Unsafe.Add(ref tb, into + w) = !valid ? 0 : rel >= ow ? rel - ow + 4 : rel;
            }
        }
    }

    /// <summary>
    /// One example's input patches, each shifted for each tap: for channel ch, window w = (py, px) and tap t = (ky, kx),
    /// the 16 floats patch[i + 4·ky + kx] (patch[4·a + b] = x[ch, 2·py + a, 2·px + b]), so lane <c>base</c> of shift t is
    /// the input tap t meets at the position <c>base</c> stands for. All inside the input: the windows end two rows and
    /// columns before it.
    /// </summary>
    private static void ShiftedPatches(ReadOnlySpan<float> x, Span<float> shifted, in ConvShape s, in PoolShape pool, int first, int count)
    {
        int iw = s.Width, plane = s.Height * iw, pw = pool.OutWidth;
        ref float rx = ref MemoryMarshal.GetReference(x), to = ref MemoryMarshal.GetReference(shifted);
        for (int ch = 0; ch < s.Channels; ch++)
            for (int i = 0; i < count; i++)
            {
                int py = (first + i) / pw, px = first + i - (py * pw), w = (ch * PatchChunk) + i;
                ref float top = ref Unsafe.Add(ref rx, (ch * plane) + (2 * py * iw) + (2 * px));
                Vector512<float> patch = Vector512.Create(
                    Vector256.Create(Vector128.LoadUnsafe(ref top), Vector128.LoadUnsafe(ref top, (nuint)iw)),
                    Vector256.Create(Vector128.LoadUnsafe(ref top, (nuint)(2 * iw)), Vector128.LoadUnsafe(ref top, (nuint)(3 * iw))));
                ref float at = ref Unsafe.Add(ref to, w * 9 * 16);
                patch.StoreUnsafe(ref at);
                Shift(patch, 1).StoreUnsafe(ref at, 16);
                Shift(patch, 2).StoreUnsafe(ref at, 32);
                Shift(patch, 4).StoreUnsafe(ref at, 48);
                Shift(patch, 5).StoreUnsafe(ref at, 64);
                Shift(patch, 6).StoreUnsafe(ref at, 80);
                Shift(patch, 8).StoreUnsafe(ref at, 96);
                Shift(patch, 9).StoreUnsafe(ref at, 112);
                Shift(patch, 10).StoreUnsafe(ref at, 128);
            }
    }

    /// <summary>
    /// One block of 16 filters (a lane each) against one channel's shifted patches, window by window: tap t's sum
    /// gains g · shift_t[base], one permute and one multiply-add per tap for all 16 filters; the bias sums gain g
    /// when <paramref name="bias"/>.
    /// </summary>
    private static void WindowsOneBlock(ReadOnlySpan<float> gradientsT, ReadOnlySpan<int> basesT, int stride, ReadOnlySpan<float> shifted, int windows,
        Span<float> tapSums, Span<float> biasSums, bool bias)
    {
        ref float t = ref MemoryMarshal.GetReference(tapSums), tb = ref MemoryMarshal.GetReference(biasSums);
        ref float rg = ref MemoryMarshal.GetReference(gradientsT), sh = ref MemoryMarshal.GetReference(shifted);
        ref int rb = ref MemoryMarshal.GetReference(basesT);
        Vector512<float> s0 = Load(ref t, 0), s1 = Load(ref t, 1), s2 = Load(ref t, 2), s3 = Load(ref t, 3), s4 = Load(ref t, 4);
        Vector512<float> s5 = Load(ref t, 5), s6 = Load(ref t, 6), s7 = Load(ref t, 7), s8 = Load(ref t, 8), sb = Load(ref tb, 0);
        for (int w = 0; w < windows; w++)
        {
            Vector512<float> g = Vector512.LoadUnsafe(ref rg, (nuint)(w * stride));
            Vector512<int> at = Vector512.LoadUnsafe(ref rb, (nuint)(w * stride));
            ref float p = ref Unsafe.Add(ref sh, w * 9 * 16);
            sb += g;
            s0 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 0), at), s0);
            s1 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 1), at), s1);
            s2 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 2), at), s2);
            s3 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 3), at), s3);
            s4 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 4), at), s4);
            s5 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 5), at), s5);
            s6 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 6), at), s6);
            s7 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 7), at), s7);
            s8 = Ops512.MultiplyAdd(g, Avx512F.PermuteVar16x32(Load(ref p, 8), at), s8);
        }

        Store(s0, ref t, 0); Store(s1, ref t, 1); Store(s2, ref t, 2); Store(s3, ref t, 3); Store(s4, ref t, 4);
        Store(s5, ref t, 5); Store(s6, ref t, 6); Store(s7, ref t, 7); Store(s8, ref t, 8);
        if (bias) Store(sb, ref tb, 0);
    }

    /// <summary>result[i] = patch[(i + lanes) mod 16].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Shift(Vector512<float> patch, [System.Diagnostics.CodeAnalysis.ConstantExpected] byte lanes) => Avx512F.AlignRight32(patch.AsInt32(), patch.AsInt32(), lanes).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float at, int vector) => Vector512.LoadUnsafe(ref at, (nuint)(16 * vector));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> value, ref float at, int vector) => value.StoreUnsafe(ref at, (nuint)(16 * vector));
}
