using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // The training backward pass of a ReLU convolution whose output feeds a 2×2 stride-2 max pooling, when nothing
    // below the convolution needs an input gradient (it is the first layer): the weight and bias gradients straight
    // from the pooling's output gradient, window by window. Each pooling window passes its gradient (where its pooled
    // value is positive: the ReLU's derivative) to one of its four positions, its arg-max, so with 16 windows a
    // vector, one filter at a time:
    //   dW[ky, kx] += Σ_windows g_p · x[2·py + dy + ky, 2·px + dx + kx]   over the four positions p = (dy, dx),
    // g_p being the window's gradient where its arg-max is p and 0 elsewhere. The inputs those products need are
    // sixteen "phase" planes per channel, x[2·py + a, 2·px + b] for a, b in 0…3, gathered once per example
    // (per-thread scratch, CellKernels.Scratch); the convolution's output gradient is never formed. Three quarters
    // of the multiply-adds meet a zero g_p, as they did on the grid this replaced (the gradient scattered onto the
    // input's grid, then correlated with the input), but the scatter is gone: 192–432 → 117–205 µs for the shapes
    // CNN's batch of 32 on the Intel machine. Other shapes take Pooling.MaxBackwardRelu then BackwardWeights.

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

        // Planes of the windows and 16 floats of slack (a gathered row may write a vector past its last window).
        int f = s.Filters, c = s.Channels, windows = pool.OutHeight * pool.OutWidth, padded = (windows + 31) & ~15;
        int phasesLength = KernelChecks.Elements(16 * c, padded), accumulators = 16 * (f * c * 9 + f);
        Span<float> scratch = CellKernels.Scratch(phasesLength + padded + accumulators); // nothing else uses it meanwhile
        Span<float> phases = scratch.Slice(0, phasesLength), sums = scratch.Slice(phasesLength + padded, accumulators);
        Span<int> starts = MemoryMarshal.Cast<float, int>(scratch.Slice(phasesLength, padded));
        sums.Clear();
        for (int py = 0, w = 0; py < pool.OutHeight; py++)
            for (int px = 0; px < pool.OutWidth; px++, w++)
                starts[w] = (2 * py * s.OutWidth) + (2 * px); // each window's top-left output, as arg-max indices count
        for (int b = 0; b < batch; b++)
        {
            GatherPhases(x.Slice(b * s.InputSize, s.InputSize), phases, s, pool, padded);
            for (int o = 0; o < f; o++)
            {
                int first = (b * pool.OutputSize) + (o * windows), mapStart = (b * s.OutputSize) + (o * s.OutHeight * s.OutWidth);
                for (int ch = 0; ch < c; ch++)
                {
                    WindowsOneFilter(dPooled.Slice(first, windows), pooled.Slice(first, windows), argmax.Slice(first, windows), starts, mapStart,
                        phases.Slice(ch * 16 * padded, 16 * padded), padded, s.OutWidth,
                        sums.Slice(16 * 9 * ((o * c) + ch), 16 * 9), sums.Slice(16 * ((9 * f * c) + o), 16), bias: ch == 0);
                }
            }
        }

        // Fold the vector sums into the gradients.
        ref float sumsRef = ref MemoryMarshal.GetReference(sums);
        for (int o = 0; o < f; o++)
        {
            for (int t = 0; t < 9 * c; t++)
                weightGradient[o * s.PatchSize + t] += Vector512.Sum(Vector512.LoadUnsafe(ref sumsRef, (nuint)(16 * (9 * o * c + t))));
            biasGradient[o] += Vector512.Sum(Vector512.LoadUnsafe(ref sumsRef, (nuint)(16 * (9 * f * c + o))));
        }
    }

    /// <summary>True when <see cref="BackwardWeightsFromMaxPool"/> runs window by window.</summary>
    private static bool WindowWeightsApply(in ConvShape s, in PoolShape pool) =>
        Avx512F.IsSupported && s.StrideX == 1 && s.StrideY == 1 && s.PadX == 0 && s.PadY == 0
        && s.KernelHeight == 3 && s.KernelWidth == 3
        && pool.PoolHeight == 2 && pool.PoolWidth == 2 && pool.StrideY == 2 && pool.StrideX == 2;

    /// <summary>
    /// One example's phase planes: plane (ch, a, b) holds x[ch, 2·py + a, 2·px + b] at window py·PW + px, for a, b in
    /// 0…3 (all inside the input: the windows end two rows and columns before it). Where a row's 2·PW + 2 inputs fill
    /// at least a vector, one two-vector permute gathers each plane's row of windows (writing up to 16 − PW values
    /// past it, which the next row or the plane's slack takes); otherwise element by element.
    /// </summary>
    private static void GatherPhases(ReadOnlySpan<float> x, Span<float> phases, in ConvShape s, in PoolShape pool, int padded)
    {
        int iw = s.Width, plane = s.Height * iw, ph = pool.OutHeight, pw = pool.OutWidth, span = (2 * pw) + 2;
        ref float rx = ref MemoryMarshal.GetReference(x), rp = ref MemoryMarshal.GetReference(phases);
        bool vector = span >= 16 && pw <= 16;
        // Lane px of plane column b takes row element 2·px + b: from the first vector (row[0…15]) below 16, else from
        // the second, which ends at the row's last needed element (row[span − 16 … span − 1]).
        Vector512<int> i0 = default, i1 = default, i2 = default, i3 = default;
        if (vector)
        {
            Vector512<int> lane = Vector512<int>.Indices * 2, high = Vector512.Create(16 - (span - 16));
            i0 = Pick(lane, high); i1 = Pick(lane + Vector512<int>.One, high);
            i2 = Pick(lane + Vector512.Create(2), high); i3 = Pick(lane + Vector512.Create(3), high);
        }
        for (int ch = 0; ch < s.Channels; ch++)
            for (int a = 0; a < 4; a++)
            {
                ref float p0 = ref Unsafe.Add(ref rp, ((ch * 16) + (a * 4)) * padded);
                for (int py = 0; py < ph; py++)
                {
                    ref float row = ref Unsafe.Add(ref rx, (ch * plane) + (((2 * py) + a) * iw));
                    ref float to = ref Unsafe.Add(ref p0, py * pw);
                    if (vector)
                    {
                        Vector512<float> lo = Vector512.LoadUnsafe(ref row), hi = Vector512.LoadUnsafe(ref row, (nuint)(span - 16));
                        Avx512F.PermuteVar16x32x2(lo, i0, hi).StoreUnsafe(ref to);
                        Avx512F.PermuteVar16x32x2(lo, i1, hi).StoreUnsafe(ref to, (nuint)padded);
                        Avx512F.PermuteVar16x32x2(lo, i2, hi).StoreUnsafe(ref to, (nuint)(2 * padded));
                        Avx512F.PermuteVar16x32x2(lo, i3, hi).StoreUnsafe(ref to, (nuint)(3 * padded));
                        continue;
                    }
                    for (int b = 0; b < 4; b++)
                        for (int px = 0; px < pw; px++)
                            Unsafe.Add(ref to, (b * padded) + px) = Unsafe.Add(ref row, (2 * px) + b);
                }
            }
    }

    /// <summary>
    /// Two-vector permute indices for row elements <paramref name="at"/>: below 16 the first vector's lane, else the
    /// second's (<paramref name="high"/> = 32 − the row span, so element e is pair index e + high); lanes past the
    /// windows wrap to any lane (their values are overwritten or never read).
    /// </summary>
    private static Vector512<int> Pick(Vector512<int> at, Vector512<int> high)
    {
        Vector512<int> sixteen = Vector512.Create(16);
        // Element e ≥ 16 sits at e − (span − 16) in the second vector, index 16 + that in the pair: e + high.
        return Vector512.ConditionalSelect(Vector512.LessThan(at, sixteen), at, at + high) & Vector512.Create(31);
    }

    /// <summary>
    /// One filter's windows against one channel's phase planes: the nine tap sums (and the bias sums when
    /// <paramref name="bias"/>) accumulate in <paramref name="tapSums"/> [9 × 16] and <paramref name="biasSums"/> [16];
    /// the windows after the last whole vector add into lane 0.
    /// </summary>
    private static void WindowsOneFilter(ReadOnlySpan<float> dPooled, ReadOnlySpan<float> pooled, ReadOnlySpan<int> argmax, ReadOnlySpan<int> starts,
        int mapStart, ReadOnlySpan<float> phases, int padded, int ow, Span<float> tapSums, Span<float> biasSums, bool bias)
    {
        ref float t = ref MemoryMarshal.GetReference(tapSums);
        ref float tb = ref MemoryMarshal.GetReference(biasSums);
        ref float rg = ref MemoryMarshal.GetReference(dPooled), ry = ref MemoryMarshal.GetReference(pooled), ph = ref MemoryMarshal.GetReference(phases);
        ref int ra = ref MemoryMarshal.GetReference(argmax), rs = ref MemoryMarshal.GetReference(starts);
        int windows = dPooled.Length, whole = windows & ~15;
        Vector512<float> s00 = Load(ref t, 0), s01 = Load(ref t, 1), s02 = Load(ref t, 2), s10 = Load(ref t, 3), s11 = Load(ref t, 4);
        Vector512<float> s12 = Load(ref t, 5), s20 = Load(ref t, 6), s21 = Load(ref t, 7), s22 = Load(ref t, 8), sb = Load(ref tb, 0);
        Vector512<int> map = Vector512.Create(mapStart), right = Vector512.Create(1), below = Vector512.Create(ow), belowRight = Vector512.Create(ow + 1);
        for (int w = 0; w < whole; w += 16)
        {
            // The ReLU's derivative as MaxBackwardRelu applies it: a gradient passes where the pooled value is positive.
            Vector512<float> g = Vector512.LoadUnsafe(ref rg, (nuint)w) & Vector512.GreaterThan(Vector512.LoadUnsafe(ref ry, (nuint)w), Vector512<float>.Zero);
            sb += g; // the caller keeps the bias sums of channel 0 only
            Vector512<int> rel = Vector512.LoadUnsafe(ref ra, (nuint)w) - (Vector512.LoadUnsafe(ref rs, (nuint)w) + map);
            Vector512<float> g0 = Vector512.Equals(rel, Vector512<int>.Zero).AsSingle() & g, g1 = Vector512.Equals(rel, right).AsSingle() & g;
            Vector512<float> g2 = Vector512.Equals(rel, below).AsSingle() & g, g3 = Vector512.Equals(rel, belowRight).AsSingle() & g;
            // Tap (ky, kx) reads phase (ky + dy, kx + dx) for the window position (dy, dx) the gradient sits at.
            ref float p = ref Unsafe.Add(ref ph, w);
            s00 = Tap(s00, g0, g1, g2, g3, ref p, padded, 0, 0); s01 = Tap(s01, g0, g1, g2, g3, ref p, padded, 0, 1);
            s02 = Tap(s02, g0, g1, g2, g3, ref p, padded, 0, 2); s10 = Tap(s10, g0, g1, g2, g3, ref p, padded, 1, 0);
            s11 = Tap(s11, g0, g1, g2, g3, ref p, padded, 1, 1); s12 = Tap(s12, g0, g1, g2, g3, ref p, padded, 1, 2);
            s20 = Tap(s20, g0, g1, g2, g3, ref p, padded, 2, 0); s21 = Tap(s21, g0, g1, g2, g3, ref p, padded, 2, 1);
            s22 = Tap(s22, g0, g1, g2, g3, ref p, padded, 2, 2);
        }
        Store(s00, ref t, 0); Store(s01, ref t, 1); Store(s02, ref t, 2); Store(s10, ref t, 3); Store(s11, ref t, 4);
        Store(s12, ref t, 5); Store(s20, ref t, 6); Store(s21, ref t, 7); Store(s22, ref t, 8);
        if (bias) Store(sb, ref tb, 0);

        for (int w = whole; w < windows; w++)
        {
            float g = Unsafe.Add(ref ry, w) > 0f ? Unsafe.Add(ref rg, w) : 0f;
            if (bias) tb += g;
            int rel = Unsafe.Add(ref ra, w) - (Unsafe.Add(ref rs, w) + mapStart);
            int dy = rel >= ow ? 1 : 0, dx = rel - (dy * ow);
            if ((uint)dx > 1) continue; // not in its window (MaxForward's indices always are): no position takes it, as above
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++)
                    Unsafe.Add(ref t, 16 * ((3 * ky) + kx)) += g * Unsafe.Add(ref ph, (((((ky + dy) * 4) + kx + dx) * padded) + w));
        }
    }

    /// <summary>sum + g0·P[ky, kx] + g1·P[ky, kx + 1] + g2·P[ky + 1, kx] + g3·P[ky + 1, kx + 1], P the phase planes at this vector of windows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tap(Vector512<float> sum, Vector512<float> g0, Vector512<float> g1, Vector512<float> g2, Vector512<float> g3,
        ref float p, int padded, int ky, int kx)
    {
        sum = Ops512.MultiplyAdd(g0, Vector512.LoadUnsafe(ref p, (nuint)((((ky * 4) + kx) * padded))), sum);
        sum = Ops512.MultiplyAdd(g1, Vector512.LoadUnsafe(ref p, (nuint)((((ky * 4) + kx + 1) * padded))), sum);
        sum = Ops512.MultiplyAdd(g2, Vector512.LoadUnsafe(ref p, (nuint)(((((ky + 1) * 4) + kx) * padded))), sum);
        return Ops512.MultiplyAdd(g3, Vector512.LoadUnsafe(ref p, (nuint)(((((ky + 1) * 4) + kx + 1) * padded))), sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float at, int vector) => Vector512.LoadUnsafe(ref at, (nuint)(16 * vector));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> value, ref float at, int vector) => value.StoreUnsafe(ref at, (nuint)(16 * vector));
}
