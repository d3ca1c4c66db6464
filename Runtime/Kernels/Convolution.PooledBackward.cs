using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // The training backward pass of a ReLU convolution whose output feeds a max pooling, when nothing below the
    // convolution needs an input gradient (it is the first layer): the weight and bias gradients straight from the
    // pooling's output gradient. One example at a time, the convolution's output gradient is scattered (each pooled
    // gradient to its arg-max, where the pooled value is positive: the ReLU's derivative) into a per-thread grid
    // (CellKernels.Scratch) laid out with the input's row stride, so that output (oy, ox) sits at oy·W + ox like the
    // input patch it multiplies; the weight gradient then runs along that flat grid, 16 positions a vector (23 vectors for the
    // 18×18 outputs of a 20×20 input instead of 36 row steps), two filters and nine taps in registers. The full-size
    // output gradient is never written. Other shapes take Pooling.MaxBackwardRelu then BackwardWeights.

    /// <summary>
    /// weightGradient += ∂L/∂W and biasGradient += ∂L/∂bias of a ReLU convolution followed by a max pooling, from
    /// the pooling's output gradient: what <see cref="Pooling.MaxBackwardRelu"/> followed by <see cref="BackwardWeights"/>
    /// computes (to rounding), without writing the convolution's output gradient where the shapes allow (stride 1,
    /// no padding, 3×3 filters, an even filter count, 2×2 stride-2 pooling at least 8 windows wide, AVX-512);
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
        if (!GridWeightsApply(s, pool))
        {
            Pooling.MaxBackwardRelu(dPooled, pooled, argmax, convGradient, pool, batch);
            BackwardWeights(convGradient, x, weightGradient, biasGradient, workspace, s, batch);
            return;
        }

        int f = s.Filters, c = s.Channels, iw = s.Width, plane = s.Height * iw;
        int gridLength = (s.OutHeight * iw + 15) & ~15, inputLength = (gridLength + 2 * iw + 2 + 15) & ~15;
        int accumulators = 16 * (f * c * 9 + f);
        Span<float> scratch = CellKernels.Scratch(f * gridLength + c * inputLength + accumulators); // nothing else uses it meanwhile
        Span<float> grid = scratch.Slice(0, f * gridLength), input = scratch.Slice(f * gridLength, c * inputLength);
        Span<float> sums = scratch.Slice(f * gridLength + c * inputLength, accumulators);
        sums.Clear();
        grid.Clear(); // positions no pooling window covers (the grid's padding columns, rows past the windows) stay zero
        input.Clear(); // the padding after each plane stays zero
        for (int b = 0; b < batch; b++)
        {
            ScatterToGrid(ref MemoryMarshal.GetReference(dPooled), ref MemoryMarshal.GetReference(pooled), ref MemoryMarshal.GetReference(argmax),
                ref MemoryMarshal.GetReference(grid), s, pool, b, gridLength);
            for (int ch = 0; ch < c; ch++)
                x.Slice(b * s.InputSize + ch * plane, plane).CopyTo(input.Slice(ch * inputLength, plane));
            ref float g = ref MemoryMarshal.GetReference(scratch);
            ref float inp = ref Unsafe.Add(ref g, f * gridLength);
            ref float acc = ref Unsafe.Add(ref inp, c * inputLength);
            for (int o = 0; o < f; o += 2)
                for (int ch = 0; ch < c; ch++)
                    GridTwoFilters(ref Unsafe.Add(ref g, o * gridLength), gridLength, ref Unsafe.Add(ref inp, ch * inputLength), iw,
                        ref Unsafe.Add(ref acc, 16 * 9 * (o * c + ch)), ref Unsafe.Add(ref acc, 16 * 9 * ((o + 1) * c + ch)),
                        ref Unsafe.Add(ref acc, 16 * (9 * f * c + o)), ch == 0);
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

    /// <summary>True when <see cref="BackwardWeightsFromMaxPool"/> runs on the flat grid.</summary>
    private static bool GridWeightsApply(in ConvShape s, in PoolShape pool) =>
        Avx512F.IsSupported && s.StrideX == 1 && s.StrideY == 1 && s.PadX == 0 && s.PadY == 0
        && s.KernelHeight == 3 && s.KernelWidth == 3 && (s.Filters & 1) == 0
        && pool.PoolHeight == 2 && pool.PoolWidth == 2 && pool.StrideY == 2 && pool.StrideX == 2 && pool.OutWidth >= 8;

    /// <summary>
    /// Example <paramref name="b"/>'s convolution output gradient on the grid (row stride W): each positive pooled
    /// output's gradient at its arg-max, zero elsewhere in its window (Pooling's dense 2×2 backward step, eight windows
    /// at a time, the last step shifted left). Positions no window covers stay zero from the initial clear.
    /// </summary>
    private static void ScatterToGrid(ref float dPooled, ref float pooled, ref int argmax, ref float grid, in ConvShape s, in PoolShape pool, int b, int gridLength)
    {
        int iw = s.Width, ow = s.OutWidth, convPlane = s.OutHeight * ow, poh = pool.OutHeight, pow = pool.OutWidth;
        int q = b * pool.OutputSize;
        for (int o = 0; o < s.Filters; o++)
        {
            int planeStart = b * s.OutputSize + o * convPlane;
            for (int py = 0; py < poh; py++, q += pow)
            {
                ref float top = ref Unsafe.Add(ref grid, o * gridLength + 2 * py * iw);
                int rowStart = planeStart + 2 * py * ow;
                for (int px = 0; ; px += 8)
                {
                    if (px + 8 > pow) px = pow - 8;
                    Pooling.EightWindows(ref dPooled, ref pooled, ref argmax, ref top, q + px, rowStart + 2 * px, 2 * px, ow, iw, relu: true);
                    if (px + 8 >= pow) break;
                }
            }
        }
    }

    /// <summary>
    /// Two filters' output gradients (rows <paramref name="g0"/> and g0 + gridLength) against one input channel's
    /// padded plane along the grid: nine vector sums per filter (and the bias sums when <paramref name="bias"/>).
    /// </summary>
    private static void GridTwoFilters(ref float g0, int gridLength, ref float input, int iw, ref float accP, ref float accQ, ref float accBias, bool bias)
    {
        ref float g1 = ref Unsafe.Add(ref g0, gridLength);
        Vector512<float> p00 = Load(ref accP, 0), p01 = Load(ref accP, 1), p02 = Load(ref accP, 2), p10 = Load(ref accP, 3), p11 = Load(ref accP, 4);
        Vector512<float> p12 = Load(ref accP, 5), p20 = Load(ref accP, 6), p21 = Load(ref accP, 7), p22 = Load(ref accP, 8);
        Vector512<float> q00 = Load(ref accQ, 0), q01 = Load(ref accQ, 1), q02 = Load(ref accQ, 2), q10 = Load(ref accQ, 3), q11 = Load(ref accQ, 4);
        Vector512<float> q12 = Load(ref accQ, 5), q20 = Load(ref accQ, 6), q21 = Load(ref accQ, 7), q22 = Load(ref accQ, 8);
        Vector512<float> sp = Load(ref accBias, 0), sq = Load(ref accBias, 1);
        nint row1 = iw, row2 = 2 * (nint)iw; // computed once, not per step
        for (nint t = 0; t < gridLength; t += 16)
        {
            Vector512<float> gp = Vector512.LoadUnsafe(ref g0, (nuint)t), gq = Vector512.LoadUnsafe(ref g1, (nuint)t);
            sp += gp; sq += gq;
            ref float r0 = ref Unsafe.Add(ref input, t);
            ref float r1 = ref Unsafe.Add(ref r0, row1);
            ref float r2 = ref Unsafe.Add(ref r0, row2);
            Vector512<float> v = Vector512.LoadUnsafe(ref r0);
            p00 = Ops512.MultiplyAdd(gp, v, p00); q00 = Ops512.MultiplyAdd(gq, v, q00);
            v = Vector512.LoadUnsafe(ref r0, 1);
            p01 = Ops512.MultiplyAdd(gp, v, p01); q01 = Ops512.MultiplyAdd(gq, v, q01);
            v = Vector512.LoadUnsafe(ref r0, 2);
            p02 = Ops512.MultiplyAdd(gp, v, p02); q02 = Ops512.MultiplyAdd(gq, v, q02);
            v = Vector512.LoadUnsafe(ref r1);
            p10 = Ops512.MultiplyAdd(gp, v, p10); q10 = Ops512.MultiplyAdd(gq, v, q10);
            v = Vector512.LoadUnsafe(ref r1, 1);
            p11 = Ops512.MultiplyAdd(gp, v, p11); q11 = Ops512.MultiplyAdd(gq, v, q11);
            v = Vector512.LoadUnsafe(ref r1, 2);
            p12 = Ops512.MultiplyAdd(gp, v, p12); q12 = Ops512.MultiplyAdd(gq, v, q12);
            v = Vector512.LoadUnsafe(ref r2);
            p20 = Ops512.MultiplyAdd(gp, v, p20); q20 = Ops512.MultiplyAdd(gq, v, q20);
            v = Vector512.LoadUnsafe(ref r2, 1);
            p21 = Ops512.MultiplyAdd(gp, v, p21); q21 = Ops512.MultiplyAdd(gq, v, q21);
            v = Vector512.LoadUnsafe(ref r2, 2);
            p22 = Ops512.MultiplyAdd(gp, v, p22); q22 = Ops512.MultiplyAdd(gq, v, q22);
        }
        Store(p00, ref accP, 0); Store(p01, ref accP, 1); Store(p02, ref accP, 2); Store(p10, ref accP, 3); Store(p11, ref accP, 4);
        Store(p12, ref accP, 5); Store(p20, ref accP, 6); Store(p21, ref accP, 7); Store(p22, ref accP, 8);
        Store(q00, ref accQ, 0); Store(q01, ref accQ, 1); Store(q02, ref accQ, 2); Store(q10, ref accQ, 3); Store(q11, ref accQ, 4);
        Store(q12, ref accQ, 5); Store(q20, ref accQ, 6); Store(q21, ref accQ, 7); Store(q22, ref accQ, 8);
        if (bias)
        {
            Store(sp, ref accBias, 0);
            Store(sq, ref accBias, 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float at, int vector) => Vector512.LoadUnsafe(ref at, (nuint)(16 * vector));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> value, ref float at, int vector) => value.StoreUnsafe(ref at, (nuint)(16 * vector));
}
