using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// GRU layer over a time-major [T × B × H] sequence, PyTorch gate order r, z, n (G = 3H), with hm = h_{t−1} ⊙ mask:
/// <list type="bullet">
/// <item><c>resetAfter</c> (PyTorch/cuDNN): hh = hm·W_hhᵀ + bias_hh; r = σ(pre_r + hh_r), z = σ(pre_z + hh_z),
/// n = tanh(pre_n + r ⊙ hh_n), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.</item>
/// <item>classic: r, z the same; h̃ = tanh(pre_n + (r ⊙ hm)·W_hnᵀ + bias_hn) with W_hn rows 2H…3H of W_hh;
/// h_t = (1 − z) ⊙ h_{t−1} + z ⊙ h̃.</item>
/// </list>
/// <para>Saved gates, [T × B × 4H]: each example's row is r, z, n (or h̃), then a fourth block: hh_n
/// (= (hm·W_hnᵀ + bias_hn), resetAfter) or r ⊙ hm (classic).</para>
/// <para>Workspace, 4·B·H floats, for both passes. resetAfter forward: hh [B × 3H] then hm [B × H]; backward:
/// d(hh) [B × 3H] then scratch [B × H]. Classic forward: r,z products [B × 2H] (its first B·H reused for the
/// n product), hm [B × H], r ⊙ hm [B × H]; backward: dA_rz [B × 2H], dA_n [B × H], d(r ⊙ hm) [B × H].</para>
/// </summary>
public static partial class Gru
{
    /// <summary>Floats of the saved gates: steps·batch·4·hidden.</summary>
    public static int GatesLength(int steps, int batch, int hiddenSize)
        => KernelChecks.Elements(KernelChecks.Elements(steps, batch), KernelChecks.Elements(4, hiddenSize));

    /// <summary>Floats of scratch either pass needs: 4·batch·hidden.</summary>
    public static int WorkspaceLength(int batch, int hiddenSize) => KernelChecks.Elements(4 * batch, hiddenSize);

    /// <summary>Runs the GRU over <paramref name="steps"/> steps.</summary>
    /// <param name="pre">Input projections x·W_ihᵀ + bias_ih, [T × B × 3H].</param>
    /// <param name="weightHh">Recurrent weights, [3H × H].</param>
    /// <param name="biasHh">Recurrent bias, [3H].</param>
    /// <param name="initialState">h before the first processed step, [B × H].</param>
    /// <param name="gates">Receives the saved gates, <see cref="GatesLength"/> floats (layout in the class remarks).</param>
    /// <param name="hidden">Receives h_t, [T × B × H].</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="steps">Steps T used.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="resetAfter">Apply the reset gate after the recurrent product (PyTorch) rather than before (classic).</param>
    /// <param name="reverse">Process t = T − 1 … 0.</param>
    /// <param name="recurrentMask">Empty, or a [B × H] mask multiplied into h_{t−1} where it enters a recurrent product.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Forward(ReadOnlySpan<float> pre, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> initialState, Span<float> gates, Span<float> hidden, Span<float> workspace,
        int steps, int batch, int hiddenSize, bool resetAfter, bool reverse, ReadOnlySpan<float> recurrentMask)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        int h = hiddenSize, g = KernelChecks.Elements(3, h), s4 = KernelChecks.Elements(4, h);
        int bh = KernelChecks.Elements(batch, h), bg = KernelChecks.Elements(batch, g), b4 = KernelChecks.Elements(batch, s4);
        int totalH = KernelChecks.Elements(steps, bh);
        KernelChecks.AtLeast(pre.Length, KernelChecks.Elements(steps, bg), nameof(pre));
        KernelChecks.AtLeast(weightHh.Length, KernelChecks.Elements(g, h), nameof(weightHh));
        KernelChecks.AtLeast(biasHh.Length, g, nameof(biasHh));
        KernelChecks.AtLeast(initialState.Length, bh, nameof(initialState));
        KernelChecks.AtLeast(gates.Length, GatesLength(steps, batch, h), nameof(gates));
        KernelChecks.AtLeast(hidden.Length, totalH, nameof(hidden));
        KernelChecks.AtLeast(workspace.Length, WorkspaceLength(batch, h), nameof(workspace));
        Recurrence.CheckMask(recurrentMask, bh);

        ReadOnlySpan<float> w = weightHh.Slice(0, g * h), bias = biasHh.Slice(0, g);
        ReadOnlySpan<float> mask = recurrentMask.IsEmpty ? default : recurrentMask.Slice(0, bh);
        if (steps == 0 || bh == 0) return;
        switch (CellPath.Width)
        {
            case 512: Forward<Cell512, Vector512<float>>(pre, w, bias, initialState, gates, hidden, workspace, steps, batch, h, resetAfter, reverse, mask); break;
            case 256: Forward<Cell256, Vector256<float>>(pre, w, bias, initialState, gates, hidden, workspace, steps, batch, h, resetAfter, reverse, mask); break;
            default: Forward<CellScalar, float>(pre, w, bias, initialState, gates, hidden, workspace, steps, batch, h, resetAfter, reverse, mask); break;
        }
    }

    /// <summary>
    /// c[rows × n] = bias + a[rows × k]·wᵀ for w [n × k], from w itself or from its packed transpose wt
    /// (<see cref="CellGemm.PackTransposed"/>); the same bits either way.
    /// </summary>
    private static void Product(ReadOnlySpan<float> a, ReadOnlySpan<float> w, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> c, int rows, int n, int k)
    {
        if (!wt.IsEmpty)
        {
            CellGemm.MultiplyPackedBias(a, k, 1, wt, bias, c, rows, n, k);
            return;
        }
        Recurrence.FillRows(c, bias, rows);
        CellGemv.MultiplyTransposedBAccumulate(a, w, c, rows, n, k);
    }

    private static void Forward<TOps, TV>(ReadOnlySpan<float> pre, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> initialState, Span<float> gates, Span<float> hidden, Span<float> workspace,
        int steps, int batch, int h, bool resetAfter, bool reverse, ReadOnlySpan<float> mask)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int g = 3 * h, s4 = 4 * h, bh = batch * h, bg = batch * g, b4 = batch * s4;
        bool masked = !mask.IsEmpty;
        // Enough rows to amortize transposing W: the broadcast GEMM on Wᵀ needs no horizontal sums.
        // resetAfter: Wᵀ [H × 3H]; classic: W_rzᵀ [H × 2H] then W_nᵀ [H × H].
        ReadOnlySpan<float> wt = default, wtRz = default, wtN = default;
        if (steps * batch >= CellKernels.TransposeRows)
        {
            Span<float> buffer = CellKernels.Scratch(g * h);
            if (resetAfter)
            {
                CellGemm.PackTransposed(w, buffer, g, h);
                wt = buffer;
            }
            else
            {
                CellGemm.PackTransposed(w.Slice(0, 2 * h * h), buffer, 2 * h, h);
                CellGemm.PackTransposed(w.Slice(2 * h * h, h * h), buffer.Slice(2 * h * h), h, h);
                wtRz = buffer.Slice(0, 2 * h * h);
                wtN = buffer.Slice(2 * h * h, h * h);
            }
        }

        for (int s = 0; s < steps; s++)
        {
            int t = Recurrence.Time(s, steps, reverse);
            ReadOnlySpan<float> hp = Recurrence.Previous(hidden, initialState, s, steps, reverse, bh);
            ReadOnlySpan<float> pt = pre.Slice(t * bg, bg);
            Span<float> gt = gates.Slice(t * b4, b4), ht = hidden.Slice(t * bh, bh);

            if (resetAfter)
            {
                Span<float> hh = workspace.Slice(0, bg), hm = workspace.Slice(bg, bh);
                ReadOnlySpan<float> hIn = hp;
                if (masked)
                {
                    Elementwise.Multiply(hp, mask, hm);
                    hIn = hm;
                }
                Product(hIn, w, wt, bias, hh, batch, g, h);
                ref float rhh = ref MemoryMarshal.GetReference(hh);
                ref float rp = ref MemoryMarshal.GetReference(pt);
                ref float rg = ref MemoryMarshal.GetReference(gt);
                ref float rhp = ref MemoryMarshal.GetReference(hp);
                ref float rh = ref MemoryMarshal.GetReference(ht);
                for (int b = 0; b < batch; b++)
                {
                    ref float hhb = ref Unsafe.Add(ref rhh, b * g);
                    ref float pb = ref Unsafe.Add(ref rp, b * g);
                    ref float gb = ref Unsafe.Add(ref rg, b * s4);
                    ref float hpb = ref Unsafe.Add(ref rhp, b * h);
                    ref float hb = ref Unsafe.Add(ref rh, b * h);
                    int j = 0;
                    for (; j + TOps.Count <= h; j += TOps.Count)
                        CellResetAfter<TOps, TV>(ref hhb, ref pb, ref gb, ref hpb, ref hb, j, h);
                    for (; j < h; j++)
                        CellResetAfter<CellScalar, float>(ref hhb, ref pb, ref gb, ref hpb, ref hb, j, h);
                }
            }
            else
            {
                Span<float> rzOut = workspace.Slice(0, 2 * bh), nOut = workspace.Slice(0, bh);
                Span<float> hm = workspace.Slice(2 * bh, bh), rh = workspace.Slice(3 * bh, bh);
                ReadOnlySpan<float> hIn = hp;
                if (masked)
                {
                    Elementwise.Multiply(hp, mask, hm);
                    hIn = hm;
                }
                Product(hIn, w.Slice(0, 2 * h * h), wtRz, bias.Slice(0, 2 * h), rzOut, batch, 2 * h, h);
                for (int b = 0; b < batch; b++)
                {
                    Span<float> gb = gt.Slice(b * s4, s4), rz = gb.Slice(0, 2 * h), rhb = rh.Slice(b * h, h);
                    Elementwise.Add(pt.Slice(b * g, 2 * h), rzOut.Slice(b * 2 * h, 2 * h), rz);
                    Elementwise.Sigmoid(rz, rz);
                    Elementwise.Multiply(rz.Slice(0, h), hIn.Slice(b * h, h), rhb);
                    rhb.CopyTo(gb.Slice(3 * h, h));
                }
                Product(rh, w.Slice(2 * h * h, h * h), wtN, bias.Slice(2 * h, h), nOut, batch, h, h);
                for (int b = 0; b < batch; b++)
                {
                    Span<float> gb = gt.Slice(b * s4, s4), n = gb.Slice(2 * h, h), hb = ht.Slice(b * h, h);
                    ReadOnlySpan<float> hpb = hp.Slice(b * h, h);
                    Elementwise.Add(pt.Slice(b * g + 2 * h, h), nOut.Slice(b * h, h), n);
                    Elementwise.Tanh(n, n);
                    // h = (1 − z) ⊙ h_prev + z ⊙ h̃ = h_prev + z ⊙ (h̃ − h_prev)
                    Elementwise.Subtract(n, hpb, hb);
                    Elementwise.MultiplyAdd(gb.Slice(h, h), hb, hpb, hb);
                }
            }
        }
    }

    /// <summary>resetAfter gates and state of one example at columns j … j + width − 1; saves r, z, n, hh_n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CellResetAfter<TOps, TV>(ref float hh, ref float p, ref float gates, ref float hp, ref float hOut, int j, int h)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        TV r = TOps.Sigmoid(TOps.Add(TOps.Load(ref Unsafe.Add(ref p, j)), TOps.Load(ref Unsafe.Add(ref hh, j))));
        TV z = TOps.Sigmoid(TOps.Add(TOps.Load(ref Unsafe.Add(ref p, h + j)), TOps.Load(ref Unsafe.Add(ref hh, h + j))));
        TV hhn = TOps.Load(ref Unsafe.Add(ref hh, 2 * h + j));
        TV n = TOps.Tanh(TOps.MultiplyAdd(r, hhn, TOps.Load(ref Unsafe.Add(ref p, 2 * h + j))));
        TV hPrev = TOps.Load(ref Unsafe.Add(ref hp, j));
        TOps.Store(r, ref Unsafe.Add(ref gates, j));
        TOps.Store(z, ref Unsafe.Add(ref gates, h + j));
        TOps.Store(n, ref Unsafe.Add(ref gates, 2 * h + j));
        TOps.Store(hhn, ref Unsafe.Add(ref gates, 3 * h + j));
        // h = (1 − z) ⊙ n + z ⊙ h_prev = n + z ⊙ (h_prev − n)
        TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(hPrev, n), n), ref Unsafe.Add(ref hOut, j));
    }

    /// <summary>
    /// Back-propagation through time over the last <paramref name="backpropSteps"/> processed steps. Writes dPre
    /// (zero rows for steps not back-propagated) and dInitialState (zero under truncation); accumulates
    /// dWeightHh and dBiasHh.
    /// </summary>
    /// <param name="gates">Saved gates from <see cref="Forward"/>.</param>
    /// <param name="hidden">Hidden states from <see cref="Forward"/>, [T × B × H].</param>
    /// <param name="initialState">The forward pass's initial state, [B × H].</param>
    /// <param name="weightHh">Recurrent weights, [3H × H].</param>
    /// <param name="dOutput">Loss gradient w.r.t. each h_t from above, [T × B × H]; overwritten (used as the carry).</param>
    /// <param name="dPre">Receives the gradient w.r.t. pre, [T × B × 3H].</param>
    /// <param name="dWeightHh">Accumulates, [3H × H].</param>
    /// <param name="dBiasHh">Accumulates, [3H].</param>
    /// <param name="dInitialState">Receives, [B × H].</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="steps">Steps T.</param>
    /// <param name="backpropSteps">Truncation: only the last this many processed steps are back-propagated.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="resetAfter">The forward flag.</param>
    /// <param name="reverse">The forward flag.</param>
    /// <param name="recurrentMask">The forward recurrent mask (empty for none).</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> hidden, ReadOnlySpan<float> initialState,
        ReadOnlySpan<float> weightHh, Span<float> dOutput, Span<float> dPre, Span<float> dWeightHh, Span<float> dBiasHh,
        Span<float> dInitialState, Span<float> workspace, int steps, int backpropSteps, int batch, int hiddenSize,
        bool resetAfter, bool reverse, ReadOnlySpan<float> recurrentMask)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        int first = Recurrence.FirstStep(steps, backpropSteps);
        int h = hiddenSize, g = KernelChecks.Elements(3, h), s4 = KernelChecks.Elements(4, h);
        int bh = KernelChecks.Elements(batch, h), bg = KernelChecks.Elements(batch, g), b4 = KernelChecks.Elements(batch, s4);
        int totalH = KernelChecks.Elements(steps, bh), weights = KernelChecks.Elements(g, h);
        KernelChecks.AtLeast(gates.Length, GatesLength(steps, batch, h), nameof(gates));
        KernelChecks.AtLeast(hidden.Length, totalH, nameof(hidden));
        KernelChecks.AtLeast(initialState.Length, bh, nameof(initialState));
        KernelChecks.AtLeast(weightHh.Length, weights, nameof(weightHh));
        KernelChecks.AtLeast(dOutput.Length, totalH, nameof(dOutput));
        KernelChecks.AtLeast(dPre.Length, KernelChecks.Elements(steps, bg), nameof(dPre));
        KernelChecks.AtLeast(dWeightHh.Length, weights, nameof(dWeightHh));
        KernelChecks.AtLeast(dBiasHh.Length, g, nameof(dBiasHh));
        KernelChecks.AtLeast(dInitialState.Length, bh, nameof(dInitialState));
        KernelChecks.AtLeast(workspace.Length, WorkspaceLength(batch, h), nameof(workspace));
        Recurrence.CheckMask(recurrentMask, bh);

        ReadOnlySpan<float> w = weightHh.Slice(0, weights);
        bool masked = !recurrentMask.IsEmpty;
        ReadOnlySpan<float> mask = masked ? recurrentMask.Slice(0, bh) : default;

        Recurrence.ClearUntrained(dPre, steps, first, reverse, bg);
        if (first > 0 || steps == 0) dInitialState.Slice(0, bh).Clear();

        for (int s = steps - 1; s >= first; s--)
        {
            int t = Recurrence.Time(s, steps, reverse);
            bool carry = !(s == first && first > 0); // the state entering the window is a constant
            ReadOnlySpan<float> hp = Recurrence.Previous(hidden, initialState, s, steps, reverse, bh);
            ReadOnlySpan<float> gt = gates.Slice(t * b4, b4), dh = dOutput.Slice(t * bh, bh);
            Span<float> dp = dPre.Slice(t * bg, bg);
            Span<float> target = !carry ? default
                : s == 0 ? dInitialState.Slice(0, bh) : dOutput.Slice(Recurrence.Time(s - 1, steps, reverse) * bh, bh);

            if (resetAfter)
            {
                // dhh = d(hm·W_hhᵀ + bias_hh) = [dA_r, dA_z, dA_n ⊙ r]; dOutput's row t (read here for the last time)
                // keeps dA_n ⊙ (r − 1), the n-block correction to the weight gradient taken from dPre after the loop.
                Span<float> dhh = workspace.Slice(0, bg), scratch = workspace.Slice(bg, bh);
                Span<float> dhRow = dOutput.Slice(t * bh, bh);
                switch (CellPath.Width)
                {
                    case 512: BackwardRows<Cell512, Vector512<float>>(gt, hp, dhRow, dp, dhh, target, batch, h, carry, s == 0); break;
                    case 256: BackwardRows<Cell256, Vector256<float>>(gt, hp, dhRow, dp, dhh, target, batch, h, carry, s == 0); break;
                    default: BackwardRows<CellScalar, float>(gt, hp, dhRow, dp, dhh, target, batch, h, carry, s == 0); break;
                }
                if (carry) Recurrence.PropagateHidden(dhh, w, recurrentMask, target, scratch, batch, g, h, accumulate: true);
            }
            else
            {
                Span<float> dArz = workspace.Slice(0, 2 * bh), dAn = workspace.Slice(2 * bh, bh), dRh = workspace.Slice(3 * bh, bh);
                // Pass 1: z and h̃ gradients, the direct path to h_prev, and r ⊙ hm into dRh for the W_hn gradient.
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> gb = gt.Slice(b * s4, s4), hpb = hp.Slice(b * h, h), dhb = dh.Slice(b * h, h);
                    Span<float> dpb = dp.Slice(b * g, g), drzb = dArz.Slice(b * 2 * h, 2 * h);
                    for (int j = 0; j < h; j++)
                    {
                        float z = gb[h + j], n = gb[2 * h + j], dhv = dhb[j];
                        float dan = dhv * z * (1f - n * n);
                        float daz = dhv * (n - hpb[j]) * z * (1f - z);
                        dpb[h + j] = daz;
                        dpb[2 * h + j] = dan;
                        drzb[h + j] = daz;
                        dAn[b * h + j] = dan;
                        dRh[b * h + j] = gb[3 * h + j];
                        if (carry)
                        {
                            float direct = dhv * (1f - z);
                            if (s == 0) target[b * h + j] = direct;
                            else target[b * h + j] += direct;
                        }
                    }
                }
                Bias.AccumulateRowSums(dAn, dBiasHh.Slice(2 * h, h), batch, h);
                Gemm.MultiplyTransposedA(dAn, dRh, dWeightHh.Slice(2 * h * h, h * h), h, h, batch, accumulate: true);
                // d(r ⊙ hm) = dA_n·W_hn
                Gemm.Multiply(dAn, w.Slice(2 * h * h, h * h), dRh, batch, h, h);
                // Pass 2: r gradient; dRh becomes the part of d(hm) through r ⊙ hm.
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> gb = gt.Slice(b * s4, s4), hpb = hp.Slice(b * h, h);
                    Span<float> dpb = dp.Slice(b * g, g), drzb = dArz.Slice(b * 2 * h, 2 * h);
                    for (int j = 0; j < h; j++)
                    {
                        int k = b * h + j;
                        float r = gb[j], hm = masked ? hpb[j] * mask[k] : hpb[j], drh = dRh[k];
                        float dar = drh * hm * r * (1f - r);
                        dpb[j] = dar;
                        drzb[j] = dar;
                        dRh[k] = drh * r;
                    }
                }
                Bias.AccumulateRowSums(dArz, dBiasHh.Slice(0, 2 * h), batch, 2 * h);
                ReadOnlySpan<float> hIn = hp;
                if (masked)
                {
                    Elementwise.Multiply(hp, mask, dAn); // dA_n is no longer needed
                    hIn = dAn;
                }
                Gemm.MultiplyTransposedA(dArz, hIn, dWeightHh.Slice(0, 2 * h * h), 2 * h, h, batch, accumulate: true);
                if (carry)
                {
                    Gemm.Multiply(dArz, w.Slice(0, 2 * h * h), dRh, batch, h, 2 * h, accumulate: true);
                    if (masked) Elementwise.MultiplyAdd(dRh, mask, target, target);
                    else Elementwise.Add(target, dRh, target);
                }
            }
        }

        if (resetAfter)
        {
            // All steps' weight gradients at once: dW += Σ dPreᵀ·hm (n block: dA_n), then the n block's correction Σ (dA_n ⊙ (r − 1))ᵀ·hm.
            Span<float> scratch = workspace.Slice(bg, bh);
            Recurrence.AccumulateParameters(dPre, hidden, initialState, recurrentMask, dWeightHh, dBiasHh, scratch,
                steps, first, batch, g, h, reverse);
            Recurrence.AccumulateParameters(dOutput, hidden, initialState, recurrentMask, dWeightHh.Slice(2 * h * h, h * h),
                dBiasHh.Slice(2 * h, h), scratch, steps, first, batch, h, h, reverse);
        }
    }

    private static void BackwardRows<TOps, TV>(ReadOnlySpan<float> gt, ReadOnlySpan<float> hp, Span<float> dh, Span<float> dp,
        Span<float> dhh, Span<float> target, int batch, int h, bool carry, bool overwrite)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int g = 3 * h, s4 = 4 * h;
        ref float rg = ref MemoryMarshal.GetReference(gt);
        ref float rhp = ref MemoryMarshal.GetReference(hp);
        ref float rdh = ref MemoryMarshal.GetReference(dh);
        ref float rdp = ref MemoryMarshal.GetReference(dp);
        ref float rdhh = ref MemoryMarshal.GetReference(dhh);
        ref float rt = ref MemoryMarshal.GetReference(target);
        for (int b = 0; b < batch; b++)
        {
            ref float gb = ref Unsafe.Add(ref rg, b * s4);
            ref float hpb = ref Unsafe.Add(ref rhp, b * h);
            ref float dhb = ref Unsafe.Add(ref rdh, b * h);
            ref float dpb = ref Unsafe.Add(ref rdp, b * g);
            ref float dhhb = ref Unsafe.Add(ref rdhh, b * g);
            ref float tb = ref carry ? ref Unsafe.Add(ref rt, b * h) : ref rt;
            int j = 0;
            for (; j + TOps.Count <= h; j += TOps.Count)
                CellBackwardResetAfter<TOps, TV>(ref gb, ref hpb, ref dhb, ref dpb, ref dhhb, ref tb, j, h, carry, overwrite);
            for (; j < h; j++)
                CellBackwardResetAfter<CellScalar, float>(ref gb, ref hpb, ref dhb, ref dpb, ref dhhb, ref tb, j, h, carry, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CellBackwardResetAfter<TOps, TV>(ref float gb, ref float hp, ref float dh, ref float dp, ref float dhh,
        ref float target, int j, int h, bool carry, bool overwrite)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        TV one = TOps.Broadcast(1f);
        TV r = TOps.Load(ref Unsafe.Add(ref gb, j)), z = TOps.Load(ref Unsafe.Add(ref gb, h + j));
        TV n = TOps.Load(ref Unsafe.Add(ref gb, 2 * h + j)), hhn = TOps.Load(ref Unsafe.Add(ref gb, 3 * h + j));
        TV dhv = TOps.Load(ref Unsafe.Add(ref dh, j));
        TV dan = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(one, z)), TOps.Subtract(one, TOps.Multiply(n, n)));
        TV dar = TOps.Multiply(TOps.Multiply(dan, hhn), TOps.Multiply(r, TOps.Subtract(one, r)));
        TV daz = TOps.Multiply(TOps.Multiply(dhv, TOps.Subtract(TOps.Load(ref Unsafe.Add(ref hp, j)), n)), TOps.Multiply(z, TOps.Subtract(one, z)));
        TV danr = TOps.Multiply(dan, r);
        TOps.Store(dar, ref Unsafe.Add(ref dp, j));
        TOps.Store(daz, ref Unsafe.Add(ref dp, h + j));
        TOps.Store(dan, ref Unsafe.Add(ref dp, 2 * h + j));
        TOps.Store(dar, ref Unsafe.Add(ref dhh, j));
        TOps.Store(daz, ref Unsafe.Add(ref dhh, h + j));
        TOps.Store(danr, ref Unsafe.Add(ref dhh, 2 * h + j));
        TOps.Store(TOps.Subtract(danr, dan), ref Unsafe.Add(ref dh, j));
        if (carry)
        {
            ref float tj = ref Unsafe.Add(ref target, j);
            TV direct = TOps.Multiply(dhv, z);
            TOps.Store(overwrite ? direct : TOps.Add(direct, TOps.Load(ref tj)), ref tj);
        }
    }
}
