using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// LSTM layer over a time-major [T × B × H] sequence, PyTorch gate order i, f, g, o (G = 4H):
/// a = pre_t + (h_{t−1} ⊙ mask)·W_hhᵀ + bias_hh; i = σ(a_i), f = σ(a_f), g̃ = tanh(a_g), o = σ(a_o);
/// C_t = f ⊙ C_{t−1} + i ⊙ g̃; h_t = o ⊙ tanh(C_t).
/// <para>Peepholes add w_ci ⊙ C_{t−1} to a_i, w_cf ⊙ C_{t−1} to a_f and w_co ⊙ C_t to a_o (weights [3H]: w_ci, w_cf, w_co).
/// The coupled variant has no input gate: G = 3H in the order f, g, o, C_t = f ⊙ C_{t−1} + (1 − f) ⊙ g̃, and
/// peephole weights [2H]: w_cf, w_co.</para>
/// <para>The gates saved for backward are the post-activation values, [T × B × G], each example's row in gate order.</para>
/// </summary>
public static partial class Lstm
{
    /// <summary>G: 4H, or 3H for the coupled variant.</summary>
    public static int GateCount(int hiddenSize, bool coupled) => KernelChecks.Elements(coupled ? 3 : 4, hiddenSize);

    /// <summary>Peephole weights: 3H, or 2H for the coupled variant.</summary>
    public static int PeepholeCount(int hiddenSize, bool coupled) => KernelChecks.Elements(coupled ? 2 : 3, hiddenSize);

    /// <summary>
    /// Whether a step of this shape runs as <c>CellGemv.LstmStep512</c> (product and cell update in one pass):
    /// batch 1, a plain cell, AVX-512, H ∈ {16, 32, 48, 64, 128}. Shared by <see cref="Forward"/> and <see cref="Step"/>.
    /// </summary>
    private static bool RunsFusedStep(int batch, int hiddenSize, bool peepholes, bool coupled) =>
        batch == 1 && !peepholes && !coupled && CellPath.Width == 512 && CellGemv.SupportsGates512(hiddenSize);

    /// <summary>Floats of scratch <see cref="Backward"/> needs: 2·batch·hidden (cell-gradient carry, masked-state scratch).</summary>
    public static int WorkspaceLength(int batch, int hiddenSize) => KernelChecks.Elements(2 * batch, hiddenSize);

    /// <summary>Runs the LSTM over <paramref name="steps"/> steps.</summary>
    /// <param name="pre">
    /// Input projections x·W_ihᵀ + bias_ih, [T × B × G]. It may be <paramref name="gates"/> itself (same bits): each step
    /// reads its projections before it writes its gates over them, and no step reads another's.
    /// </param>
    /// <param name="weightHh">Recurrent weights, [G × H].</param>
    /// <param name="biasHh">Recurrent bias, [G].</param>
    /// <param name="peepholeWeights">[3H] (coupled: [2H]) when <paramref name="peepholes"/> is set; otherwise ignored.</param>
    /// <param name="initialHidden">h before the first processed step, [B × H].</param>
    /// <param name="initialCell">C before the first processed step, [B × H].</param>
    /// <param name="gates">Receives the post-activation gates, [T × B × G].</param>
    /// <param name="cells">Receives C_t, [T × B × H].</param>
    /// <param name="hidden">Receives h_t, [T × B × H].</param>
    /// <param name="steps">Steps T used.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="peepholes">Use peephole connections.</param>
    /// <param name="coupled">Couple the input gate to the forget gate (i = 1 − f).</param>
    /// <param name="reverse">Process t = T − 1 … 0.</param>
    /// <param name="recurrentMask">Empty, or a [B × H] mask multiplied into h_{t−1} before the recurrent product.</param>
    /// <param name="descending">
    /// At batch 1, the direction the first step reads W_hh's blocks of units in; the steps after it alternate. A
    /// streaming model flips it every call, so each step starts on the weights the step before read last (still in
    /// cache). The result is the same bits either way.
    /// </param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Forward(ReadOnlySpan<float> pre, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> peepholeWeights, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell,
        Span<float> gates, Span<float> cells, Span<float> hidden, int steps, int batch, int hiddenSize,
        bool peepholes, bool coupled, bool reverse, ReadOnlySpan<float> recurrentMask, bool descending = false)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        KernelChecks.AtLeast(pre.Length, KernelChecks.Elements(steps, KernelChecks.Elements(batch, GateCount(hiddenSize, coupled))), nameof(pre));
        Run(pre, default, weightHh, biasHh, peepholeWeights, initialHidden, initialCell, gates, cells, hidden, steps, batch, hiddenSize,
            peepholes, coupled, reverse, recurrentMask, descending);
    }

    private static void Run(ReadOnlySpan<float> pre, StepProjection projection, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> peepholeWeights, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell,
        Span<float> gates, Span<float> cells, Span<float> hidden, int steps, int batch, int hiddenSize,
        bool peepholes, bool coupled, bool reverse, ReadOnlySpan<float> recurrentMask, bool descending)
    {
        int h = hiddenSize, g = GateCount(h, coupled);
        int bh = KernelChecks.Elements(batch, h), bg = KernelChecks.Elements(batch, g);
        int totalH = KernelChecks.Elements(steps, bh), totalG = KernelChecks.Elements(steps, bg);
        KernelChecks.AtLeast(weightHh.Length, KernelChecks.Elements(g, h), nameof(weightHh));
        KernelChecks.AtLeast(biasHh.Length, g, nameof(biasHh));
        if (peepholes) KernelChecks.AtLeast(peepholeWeights.Length, PeepholeCount(h, coupled), nameof(peepholeWeights));
        KernelChecks.AtLeast(initialHidden.Length, bh, nameof(initialHidden));
        KernelChecks.AtLeast(initialCell.Length, bh, nameof(initialCell));
        KernelChecks.AtLeast(gates.Length, totalG, nameof(gates));
        KernelChecks.AtLeast(cells.Length, totalH, nameof(cells));
        KernelChecks.AtLeast(hidden.Length, totalH, nameof(hidden));
        Recurrence.CheckMask(recurrentMask, bh);

        ReadOnlySpan<float> w = weightHh.Slice(0, g * h), bias = biasHh.Slice(0, g);
        ReadOnlySpan<float> peep = peepholes ? peepholeWeights.Slice(0, PeepholeCount(h, coupled)) : default;
        ReadOnlySpan<float> mask = recurrentMask.IsEmpty ? default : recurrentMask.Slice(0, bh);
        switch (CellPath.Width)
        {
            case 512:
                Forward<Cell512, Vector512<float>>(pre, projection, w, bias, peep, initialHidden, initialCell, gates, cells, hidden, steps, batch, h, peepholes, coupled, reverse, mask, descending);
                break;
            case 256:
                Forward<Cell256, Vector256<float>>(pre, projection, w, bias, peep, initialHidden, initialCell, gates, cells, hidden, steps, batch, h, peepholes, coupled, reverse, mask, descending);
                break;
            default:
                Forward<CellScalar, float>(pre, projection, w, bias, peep, initialHidden, initialCell, gates, cells, hidden, steps, batch, h, peepholes, coupled, reverse, mask, descending);
                break;
        }
    }

    private static void Forward<TOps, TV>(ReadOnlySpan<float> pre, StepProjection projection, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> peep, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell,
        Span<float> gates, Span<float> cells, Span<float> hidden, int steps, int batch, int h,
        bool peepholes, bool coupled, bool reverse, ReadOnlySpan<float> mask, bool descending)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int g = coupled ? 3 * h : 4 * h, bh = batch * h, bg = batch * g;
        if (steps == 0 || bh == 0) return;
        // Enough rows to amortize one transpose: the broadcast GEMM on Wᵀ needs no horizontal sums.
        bool transposed = steps * batch >= CellKernels.TransposeRows;
        ReadOnlySpan<float> wt = default;
        if (transposed)
        {
            Span<float> buffer = CellKernels.Scratch(g * h);
            CellGemm.PackTransposed(w, buffer, g, h);
            wt = buffer;
        }
        ref float rBias = ref MemoryMarshal.GetReference(bias);
        ref float rPeep = ref MemoryMarshal.GetReference(peep);
        bool small = !transposed && batch == 1 && typeof(TV) == typeof(Vector512<float>) && CellGemv.SupportsGates512(h);
        // The plain cell at batch 1: product and cell update in one pass (CellGemv.LstmStep512), same bits.
        bool fused = !transposed && mask.IsEmpty && RunsFusedStep(batch, h, peepholes, coupled);

        for (int s = 0; s < steps; s++)
        {
            int t = Recurrence.Time(s, steps, reverse);
            ReadOnlySpan<float> hp = Recurrence.Previous(hidden, initialHidden, s, steps, reverse, bh);
            ReadOnlySpan<float> cp = Recurrence.Previous(cells, initialCell, s, steps, reverse, bh);
            Span<float> a = gates.Slice(t * bg, bg), c = cells.Slice(t * bh, bh), ht = hidden.Slice(t * bh, bh);
            if (!projection.IsEmpty) projection.Into(a, t, batch, g); // pre is gates here

            if (fused)
            {
                CellGemv.LstmStep512(ref MemoryMarshal.GetReference(pre.Slice(t * bg, bg)), ref rBias, ref MemoryMarshal.GetReference(w),
                    ref MemoryMarshal.GetReference(hp), ref MemoryMarshal.GetReference(cp), ref MemoryMarshal.GetReference(a),
                    ref MemoryMarshal.GetReference(c), ref MemoryMarshal.GetReference(ht), h, descending ^ ((s & 1) != 0));
                continue;
            }

            ReadOnlySpan<float> hIn = hp;
            if (!mask.IsEmpty)
            {
                // h_t is not written yet: it holds the masked previous state for the product.
                Elementwise.Multiply(hp, mask, ht);
                hIn = ht;
            }
            if (small)
            {
                // Batch 1, H ∈ {16, 32, 48, 64, 128}: bias, product and pre in one pass over W (h_{t−1} held in registers).
                CellGemv.Gates512(ref MemoryMarshal.GetReference(pre.Slice(t * bg, bg)), ref rBias, ref MemoryMarshal.GetReference(w),
                    ref MemoryMarshal.GetReference(hIn), ref MemoryMarshal.GetReference(a), g, h);
            }
            else
            {
                CellKernels.AddBiasRows<TOps, TV>(ref MemoryMarshal.GetReference(pre.Slice(t * bg, bg)), ref rBias, ref MemoryMarshal.GetReference(a), batch, g);
                if (transposed) CellGemm.MultiplyAddPacked(hIn, h, 1, wt, a, batch, g, h);
                else CellGemv.MultiplyTransposedBAccumulate(hIn, w, a, batch, g, h);
            }

            ref float ra = ref MemoryMarshal.GetReference(a);
            ref float rc = ref MemoryMarshal.GetReference(c);
            ref float rh = ref MemoryMarshal.GetReference(ht);
            ref float rcp = ref MemoryMarshal.GetReference(cp);
            for (int b = 0; b < batch; b++)
            {
                ref float ab = ref Unsafe.Add(ref ra, b * g);
                ref float cb = ref Unsafe.Add(ref rc, b * h);
                ref float hb = ref Unsafe.Add(ref rh, b * h);
                ref float cpb = ref Unsafe.Add(ref rcp, b * h);
                int j = 0;
                for (; j + TOps.Count <= h; j += TOps.Count)
                    CellForward<TOps, TV>(ref ab, ref cpb, ref cb, ref hb, ref rPeep, j, h, peepholes, coupled);
                for (; j < h; j++)
                    CellForward<CellScalar, float>(ref ab, ref cpb, ref cb, ref hb, ref rPeep, j, h, peepholes, coupled);
            }
        }
    }

    /// <summary>The gate activations and state update of one example at columns j … j + width − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CellForward<TOps, TV>(ref float a, ref float cp, ref float c, ref float hOut, ref float peep, int j, int h,
        bool peepholes, bool coupled)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        TV cPrev = TOps.Load(ref Unsafe.Add(ref cp, j));
        TV cNew, o;
        if (!coupled)
        {
            TV ai = TOps.Load(ref Unsafe.Add(ref a, j)), af = TOps.Load(ref Unsafe.Add(ref a, h + j));
            if (peepholes)
            {
                ai = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref peep, j)), cPrev, ai);
                af = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref peep, h + j)), cPrev, af);
            }
            TV i = TOps.Sigmoid(ai), f = TOps.Sigmoid(af), gg = TOps.Tanh(TOps.Load(ref Unsafe.Add(ref a, 2 * h + j)));
            TOps.Store(i, ref Unsafe.Add(ref a, j));
            TOps.Store(f, ref Unsafe.Add(ref a, h + j));
            TOps.Store(gg, ref Unsafe.Add(ref a, 2 * h + j));
            cNew = TOps.MultiplyAdd(f, cPrev, TOps.Multiply(i, gg));
            o = TOps.Load(ref Unsafe.Add(ref a, 3 * h + j));
            if (peepholes) o = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref peep, 2 * h + j)), cNew, o);
            o = TOps.Sigmoid(o);
            TOps.Store(o, ref Unsafe.Add(ref a, 3 * h + j));
        }
        else
        {
            TV af = TOps.Load(ref Unsafe.Add(ref a, j));
            if (peepholes) af = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref peep, j)), cPrev, af);
            TV f = TOps.Sigmoid(af), gg = TOps.Tanh(TOps.Load(ref Unsafe.Add(ref a, h + j)));
            TOps.Store(f, ref Unsafe.Add(ref a, j));
            TOps.Store(gg, ref Unsafe.Add(ref a, h + j));
            // C = f ⊙ C_prev + (1 − f) ⊙ g̃ = g̃ + f ⊙ (C_prev − g̃)
            cNew = TOps.MultiplyAdd(f, TOps.Subtract(cPrev, gg), gg);
            o = TOps.Load(ref Unsafe.Add(ref a, 2 * h + j));
            if (peepholes) o = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref peep, h + j)), cNew, o);
            o = TOps.Sigmoid(o);
            TOps.Store(o, ref Unsafe.Add(ref a, 2 * h + j));
        }
        TOps.Store(cNew, ref Unsafe.Add(ref c, j));
        TOps.Store(TOps.Multiply(o, TOps.Tanh(cNew)), ref Unsafe.Add(ref hOut, j));
    }

    /// <summary>
    /// Back-propagation through time over the last <paramref name="backpropSteps"/> processed steps. Writes dPre
    /// (zero rows for steps not back-propagated), dInitialHidden and dInitialCell (zero under truncation);
    /// accumulates dWeightHh, dBiasHh and, with peepholes, dPeepholes.
    /// </summary>
    /// <param name="gates">Post-activation gates from <see cref="Forward"/>, [T × B × G].</param>
    /// <param name="cells">Cells from <see cref="Forward"/>, [T × B × H].</param>
    /// <param name="hidden">Hidden states from <see cref="Forward"/>, [T × B × H].</param>
    /// <param name="initialHidden">The forward pass's initial hidden state, [B × H].</param>
    /// <param name="initialCell">The forward pass's initial cell, [B × H].</param>
    /// <param name="weightHh">Recurrent weights, [G × H].</param>
    /// <param name="peepholeWeights">Peephole weights (ignored without peepholes).</param>
    /// <param name="dOutput">Loss gradient w.r.t. each h_t from above, [T × B × H]; overwritten (used as the carry).</param>
    /// <param name="dPre">Receives the gradient w.r.t. pre, [T × B × G].</param>
    /// <param name="dWeightHh">Accumulates, [G × H].</param>
    /// <param name="dBiasHh">Accumulates, [G].</param>
    /// <param name="dPeepholes">Accumulates, same layout as the peephole weights (ignored without peepholes).</param>
    /// <param name="dInitialHidden">Receives, [B × H].</param>
    /// <param name="dInitialCell">Receives, [B × H].</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="steps">Steps T.</param>
    /// <param name="backpropSteps">Truncation: only the last this many processed steps are back-propagated.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="peepholes">The forward flag.</param>
    /// <param name="coupled">The forward flag.</param>
    /// <param name="reverse">The forward flag.</param>
    /// <param name="recurrentMask">The forward recurrent mask (empty for none).</param>
    /// <param name="dFinalCell">Loss gradient w.r.t. the last processed step's cell, [B × H] (empty for none): an encoder
    /// whose final state seeds a decoder receives it from the decoder's dInitialCell.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hidden,
        ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell, ReadOnlySpan<float> weightHh,
        ReadOnlySpan<float> peepholeWeights, Span<float> dOutput, Span<float> dPre, Span<float> dWeightHh, Span<float> dBiasHh,
        Span<float> dPeepholes, Span<float> dInitialHidden, Span<float> dInitialCell, Span<float> workspace,
        int steps, int backpropSteps, int batch, int hiddenSize, bool peepholes, bool coupled, bool reverse,
        ReadOnlySpan<float> recurrentMask, ReadOnlySpan<float> dFinalCell = default)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        int first = Recurrence.FirstStep(steps, backpropSteps);
        int h = hiddenSize, g = GateCount(h, coupled);
        int bh = KernelChecks.Elements(batch, h), bg = KernelChecks.Elements(batch, g);
        int totalH = KernelChecks.Elements(steps, bh), totalG = KernelChecks.Elements(steps, bg);
        int weights = KernelChecks.Elements(g, h);
        KernelChecks.AtLeast(gates.Length, totalG, nameof(gates));
        KernelChecks.AtLeast(cells.Length, totalH, nameof(cells));
        KernelChecks.AtLeast(hidden.Length, totalH, nameof(hidden));
        KernelChecks.AtLeast(initialHidden.Length, bh, nameof(initialHidden));
        KernelChecks.AtLeast(initialCell.Length, bh, nameof(initialCell));
        KernelChecks.AtLeast(weightHh.Length, weights, nameof(weightHh));
        if (peepholes)
        {
            int p = PeepholeCount(h, coupled);
            KernelChecks.AtLeast(peepholeWeights.Length, p, nameof(peepholeWeights));
            KernelChecks.AtLeast(dPeepholes.Length, p, nameof(dPeepholes));
        }
        KernelChecks.AtLeast(dOutput.Length, totalH, nameof(dOutput));
        KernelChecks.AtLeast(dPre.Length, totalG, nameof(dPre));
        KernelChecks.AtLeast(dWeightHh.Length, weights, nameof(dWeightHh));
        KernelChecks.AtLeast(dBiasHh.Length, g, nameof(dBiasHh));
        KernelChecks.AtLeast(dInitialHidden.Length, bh, nameof(dInitialHidden));
        KernelChecks.AtLeast(dInitialCell.Length, bh, nameof(dInitialCell));
        KernelChecks.AtLeast(workspace.Length, WorkspaceLength(batch, h), nameof(workspace));
        Recurrence.CheckMask(recurrentMask, bh);
        if (!dFinalCell.IsEmpty) KernelChecks.AtLeast(dFinalCell.Length, bh, nameof(dFinalCell));

        ReadOnlySpan<float> w = weightHh.Slice(0, weights);
        int peepCount = peepholes ? PeepholeCount(h, coupled) : 0;
        ReadOnlySpan<float> peep = peepholeWeights.Slice(0, peepCount);
        Span<float> dPeep = dPeepholes.Slice(0, peepCount);
        Span<float> dCell = workspace.Slice(0, bh), scratch = workspace.Slice(bh, bh);

        Recurrence.ClearUntrained(dPre, steps, first, reverse, bg);
        if (first > 0 || steps == 0)
        {
            dInitialHidden.Slice(0, bh).Clear();
            dInitialCell.Slice(0, bh).Clear();
        }
        if (dFinalCell.IsEmpty) dCell.Clear();
        else dFinalCell.Slice(0, bh).CopyTo(dCell);

        for (int s = steps - 1; s >= first; s--)
        {
            int t = Recurrence.Time(s, steps, reverse);
            ReadOnlySpan<float> cp = Recurrence.Previous(cells, initialCell, s, steps, reverse, bh);
            ReadOnlySpan<float> gt = gates.Slice(t * bg, bg), ct = cells.Slice(t * bh, bh), dh = dOutput.Slice(t * bh, bh);
            Span<float> da = dPre.Slice(t * bg, bg);

            switch (CellPath.Width)
            {
                case 512: CellBackwardRows<Cell512, Vector512<float>>(gt, ct, cp, dh, da, dCell, peep, dPeep, batch, h, peepholes, coupled); break;
                case 256: CellBackwardRows<Cell256, Vector256<float>>(gt, ct, cp, dh, da, dCell, peep, dPeep, batch, h, peepholes, coupled); break;
                default: CellBackwardRows<CellScalar, float>(gt, ct, cp, dh, da, dCell, peep, dPeep, batch, h, peepholes, coupled); break;
            }

            if (s == first && first > 0) break; // the state entering the window is a constant
            Span<float> target = s == 0 ? dInitialHidden.Slice(0, bh) : dOutput.Slice(Recurrence.Time(s - 1, steps, reverse) * bh, bh);
            Recurrence.PropagateHidden(da, w, recurrentMask, target, scratch, batch, g, h, accumulate: s > 0);
            if (s == 0) dCell.CopyTo(dInitialCell);
        }

        Recurrence.AccumulateParameters(dPre, hidden, initialHidden, recurrentMask, dWeightHh, dBiasHh, scratch,
            steps, first, batch, g, h, reverse);
    }

    /// <summary>One step's gate gradients for every example; dCell is the carried cell gradient, replaced by the one entering the step.</summary>
    private static void CellBackwardRows<TOps, TV>(ReadOnlySpan<float> gt, ReadOnlySpan<float> ct, ReadOnlySpan<float> cp,
        ReadOnlySpan<float> dh, Span<float> da, Span<float> dCell, ReadOnlySpan<float> peep, Span<float> dPeep,
        int batch, int h, bool peepholes, bool coupled)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int g = coupled ? 3 * h : 4 * h;
        ref float rg = ref MemoryMarshal.GetReference(gt);
        ref float rc = ref MemoryMarshal.GetReference(ct);
        ref float rcp = ref MemoryMarshal.GetReference(cp);
        ref float rdh = ref MemoryMarshal.GetReference(dh);
        ref float rda = ref MemoryMarshal.GetReference(da);
        ref float rdc = ref MemoryMarshal.GetReference(dCell);
        ref float rp = ref MemoryMarshal.GetReference(peep);
        ref float rdp = ref MemoryMarshal.GetReference(dPeep);
        for (int b = 0; b < batch; b++)
        {
            ref float gb = ref Unsafe.Add(ref rg, b * g);
            ref float dab = ref Unsafe.Add(ref rda, b * g);
            ref float cb = ref Unsafe.Add(ref rc, b * h);
            ref float cpb = ref Unsafe.Add(ref rcp, b * h);
            ref float dhb = ref Unsafe.Add(ref rdh, b * h);
            ref float dcb = ref Unsafe.Add(ref rdc, b * h);
            int j = 0;
            for (; j + TOps.Count <= h; j += TOps.Count)
                CellBackward<TOps, TV>(ref gb, ref cb, ref cpb, ref dhb, ref dab, ref dcb, ref rp, ref rdp, j, h, peepholes, coupled);
            for (; j < h; j++)
                CellBackward<CellScalar, float>(ref gb, ref cb, ref cpb, ref dhb, ref dab, ref dcb, ref rp, ref rdp, j, h, peepholes, coupled);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CellBackward<TOps, TV>(ref float gb, ref float cb, ref float cpb, ref float dhb, ref float dab, ref float dcb,
        ref float peep, ref float dPeep, int j, int h, bool peepholes, bool coupled)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        // Gate offsets within an example's row; peephole offsets (w_ci, w_cf, w_co or w_cf, w_co).
        int of = coupled ? 0 : h, og = coupled ? h : 2 * h, oo = coupled ? 2 * h : 3 * h;
        int pf = coupled ? 0 : h, po = coupled ? h : 2 * h;
        TV one = TOps.Broadcast(1f);
        TV c = TOps.Load(ref Unsafe.Add(ref cb, j)), tc = TOps.Tanh(c);
        TV o = TOps.Load(ref Unsafe.Add(ref gb, oo + j)), dhv = TOps.Load(ref Unsafe.Add(ref dhb, j));
        TV dho = TOps.Multiply(dhv, o);
        // dao = dh·tanh(C)·o·(1 − o); dC = carry + dh·o·(1 − tanh²C)
        TV dao = TOps.Multiply(TOps.Multiply(dhv, tc), TOps.Multiply(o, TOps.Subtract(one, o)));
        TV dc = TOps.MultiplyAdd(dho, TOps.Subtract(one, TOps.Multiply(tc, tc)), TOps.Load(ref Unsafe.Add(ref dcb, j)));
        if (peepholes)
        {
            dc = TOps.MultiplyAdd(dao, TOps.Load(ref Unsafe.Add(ref peep, po + j)), dc);
            ref float dwco = ref Unsafe.Add(ref dPeep, po + j);
            TOps.Store(TOps.MultiplyAdd(dao, c, TOps.Load(ref dwco)), ref dwco);
        }
        TV cprev = TOps.Load(ref Unsafe.Add(ref cpb, j)), f = TOps.Load(ref Unsafe.Add(ref gb, of + j)), gg = TOps.Load(ref Unsafe.Add(ref gb, og + j));
        TV fd = TOps.Multiply(f, TOps.Subtract(one, f)), gd = TOps.Subtract(one, TOps.Multiply(gg, gg));
        TV daf, dag, dcp = TOps.Multiply(dc, f);
        if (coupled)
        {
            daf = TOps.Multiply(TOps.Multiply(dc, TOps.Subtract(cprev, gg)), fd);
            dag = TOps.Multiply(TOps.Multiply(dc, TOps.Subtract(one, f)), gd);
        }
        else
        {
            TV i = TOps.Load(ref Unsafe.Add(ref gb, j));
            TV dai = TOps.Multiply(TOps.Multiply(dc, gg), TOps.Multiply(i, TOps.Subtract(one, i)));
            daf = TOps.Multiply(TOps.Multiply(dc, cprev), fd);
            dag = TOps.Multiply(TOps.Multiply(dc, i), gd);
            TOps.Store(dai, ref Unsafe.Add(ref dab, j));
            if (peepholes)
            {
                dcp = TOps.MultiplyAdd(dai, TOps.Load(ref Unsafe.Add(ref peep, j)), dcp);
                ref float dwci = ref Unsafe.Add(ref dPeep, j);
                TOps.Store(TOps.MultiplyAdd(dai, cprev, TOps.Load(ref dwci)), ref dwci);
            }
        }
        if (peepholes)
        {
            dcp = TOps.MultiplyAdd(daf, TOps.Load(ref Unsafe.Add(ref peep, pf + j)), dcp);
            ref float dwcf = ref Unsafe.Add(ref dPeep, pf + j);
            TOps.Store(TOps.MultiplyAdd(daf, cprev, TOps.Load(ref dwcf)), ref dwcf);
        }
        TOps.Store(daf, ref Unsafe.Add(ref dab, of + j));
        TOps.Store(dag, ref Unsafe.Add(ref dab, og + j));
        TOps.Store(dao, ref Unsafe.Add(ref dab, oo + j));
        TOps.Store(dcp, ref Unsafe.Add(ref dcb, j));
    }
}
