using System.Numerics.Tensors;

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
public static class Lstm
{
    /// <summary>G: 4H, or 3H for the coupled variant.</summary>
    public static int GateCount(int hiddenSize, bool coupled) => KernelChecks.Elements(coupled ? 3 : 4, hiddenSize);

    /// <summary>Peephole weights: 3H, or 2H for the coupled variant.</summary>
    public static int PeepholeCount(int hiddenSize, bool coupled) => KernelChecks.Elements(coupled ? 2 : 3, hiddenSize);

    /// <summary>Floats of scratch <see cref="Backward"/> needs: 2·batch·hidden (cell-gradient carry, masked-state scratch).</summary>
    public static int WorkspaceLength(int batch, int hiddenSize) => KernelChecks.Elements(2 * batch, hiddenSize);

    /// <summary>Runs the LSTM over <paramref name="steps"/> steps.</summary>
    /// <param name="pre">Input projections x·W_ihᵀ + bias_ih, [T × B × G].</param>
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
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Forward(ReadOnlySpan<float> pre, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> peepholeWeights, ReadOnlySpan<float> initialHidden, ReadOnlySpan<float> initialCell,
        Span<float> gates, Span<float> cells, Span<float> hidden, int steps, int batch, int hiddenSize,
        bool peepholes, bool coupled, bool reverse, ReadOnlySpan<float> recurrentMask)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        int h = hiddenSize, g = GateCount(h, coupled);
        int bh = KernelChecks.Elements(batch, h), bg = KernelChecks.Elements(batch, g);
        int totalH = KernelChecks.Elements(steps, bh), totalG = KernelChecks.Elements(steps, bg);
        KernelChecks.AtLeast(pre.Length, totalG, nameof(pre));
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
        // Peephole weights by role; empty when unused.
        ReadOnlySpan<float> wci = peepholes && !coupled ? peepholeWeights.Slice(0, h) : default;
        ReadOnlySpan<float> wcf = peepholes ? peepholeWeights.Slice(coupled ? 0 : h, h) : default;
        ReadOnlySpan<float> wco = peepholes ? peepholeWeights.Slice(coupled ? h : 2 * h, h) : default;

        for (int s = 0; s < steps; s++)
        {
            int t = Recurrence.Time(s, steps, reverse);
            ReadOnlySpan<float> hp = Recurrence.Previous(hidden, initialHidden, s, steps, reverse, bh);
            ReadOnlySpan<float> cp = Recurrence.Previous(cells, initialCell, s, steps, reverse, bh);
            Span<float> a = gates.Slice(t * bg, bg), c = cells.Slice(t * bh, bh), ht = hidden.Slice(t * bh, bh);

            pre.Slice(t * bg, bg).CopyTo(a);
            Bias.AddRows(a, bias, batch, g);
            if (recurrentMask.IsEmpty)
            {
                Gemm.MultiplyTransposedB(hp, w, a, batch, g, h, accumulate: true);
            }
            else
            {
                // h_t is not written yet: it holds the masked previous state for the product.
                TensorPrimitives.Multiply(hp, recurrentMask.Slice(0, bh), ht);
                Gemm.MultiplyTransposedB(ht, w, a, batch, g, h, accumulate: true);
            }

            for (int b = 0; b < batch; b++)
            {
                Span<float> ab = a.Slice(b * g, g), cb = c.Slice(b * h, h), hb = ht.Slice(b * h, h);
                ReadOnlySpan<float> cpb = cp.Slice(b * h, h);
                Span<float> ao;
                if (!coupled)
                {
                    Span<float> ai = ab.Slice(0, h), af = ab.Slice(h, h), ag = ab.Slice(2 * h, h);
                    ao = ab.Slice(3 * h, h);
                    if (peepholes)
                    {
                        TensorPrimitives.MultiplyAdd(wci, cpb, ai, ai);
                        TensorPrimitives.MultiplyAdd(wcf, cpb, af, af);
                    }
                    Span<float> ifGates = ab.Slice(0, 2 * h);
                    TensorPrimitives.Sigmoid(ifGates, ifGates);
                    TensorPrimitives.Tanh(ag, ag);
                    TensorPrimitives.Multiply(af, cpb, cb);
                    TensorPrimitives.MultiplyAdd(ai, ag, cb, cb);
                }
                else
                {
                    Span<float> af = ab.Slice(0, h), ag = ab.Slice(h, h);
                    ao = ab.Slice(2 * h, h);
                    if (peepholes) TensorPrimitives.MultiplyAdd(wcf, cpb, af, af);
                    TensorPrimitives.Sigmoid(af, af);
                    TensorPrimitives.Tanh(ag, ag);
                    // C = f ⊙ C_prev + (1 − f) ⊙ g̃ = g̃ + f ⊙ (C_prev − g̃)
                    TensorPrimitives.Subtract(cpb, ag, cb);
                    TensorPrimitives.MultiplyAdd(af, cb, ag, cb);
                }
                if (peepholes) TensorPrimitives.MultiplyAdd(wco, cb, ao, ao);
                TensorPrimitives.Sigmoid(ao, ao);
                TensorPrimitives.Tanh(cb, hb);
                TensorPrimitives.Multiply(hb, ao, hb);
            }
        }
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
        ReadOnlySpan<float> wci = peepholes && !coupled ? peepholeWeights.Slice(0, h) : default;
        ReadOnlySpan<float> wcf = peepholes ? peepholeWeights.Slice(coupled ? 0 : h, h) : default;
        ReadOnlySpan<float> wco = peepholes ? peepholeWeights.Slice(coupled ? h : 2 * h, h) : default;
        Span<float> dwci = peepholes && !coupled ? dPeepholes.Slice(0, h) : default;
        Span<float> dwcf = peepholes ? dPeepholes.Slice(coupled ? 0 : h, h) : default;
        Span<float> dwco = peepholes ? dPeepholes.Slice(coupled ? h : 2 * h, h) : default;
        Span<float> dCell = workspace.Slice(0, bh), scratch = workspace.Slice(bh, bh);
        // Gate offsets within an example's row.
        int oi = 0, of = coupled ? 0 : h, og = coupled ? h : 2 * h, oo = coupled ? 2 * h : 3 * h;

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

            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> gb = gt.Slice(b * g, g), cb = ct.Slice(b * h, h), cpb = cp.Slice(b * h, h), dhb = dh.Slice(b * h, h);
                Span<float> dab = da.Slice(b * g, g), dcb = dCell.Slice(b * h, h);
                for (int j = 0; j < h; j++)
                {
                    float c = cb[j], tc = MathF.Tanh(c), o = gb[oo + j], dhv = dhb[j];
                    float dao = dhv * tc * o * (1f - o);
                    float dc = dcb[j] + dhv * o * (1f - tc * tc);
                    if (peepholes)
                    {
                        dc += dao * wco[j];
                        dwco[j] += dao * c;
                    }
                    float cprev = cpb[j], f = gb[of + j], gg = gb[og + j];
                    float daf, dag, dcp = dc * f;
                    if (coupled)
                    {
                        daf = dc * (cprev - gg) * f * (1f - f);
                        dag = dc * (1f - f) * (1f - gg * gg);
                    }
                    else
                    {
                        float i = gb[oi + j];
                        float dai = dc * gg * i * (1f - i);
                        daf = dc * cprev * f * (1f - f);
                        dag = dc * i * (1f - gg * gg);
                        dab[oi + j] = dai;
                        if (peepholes)
                        {
                            dcp += dai * wci[j];
                            dwci[j] += dai * cprev;
                        }
                    }
                    if (peepholes)
                    {
                        dcp += daf * wcf[j];
                        dwcf[j] += daf * cprev;
                    }
                    dab[of + j] = daf;
                    dab[og + j] = dag;
                    dab[oo + j] = dao;
                    dcb[j] = dcp;
                }
            }

            if (s == first && first > 0) break; // the state entering the window is a constant
            Span<float> target = s == 0 ? dInitialHidden.Slice(0, bh) : dOutput.Slice(Recurrence.Time(s - 1, steps, reverse) * bh, bh);
            Recurrence.PropagateHidden(da, w, recurrentMask, target, scratch, batch, g, h, accumulate: s > 0);
            if (s == 0) dCell.CopyTo(dInitialCell);
        }

        Recurrence.AccumulateParameters(dPre, hidden, initialHidden, recurrentMask, dWeightHh, dBiasHh, scratch,
            steps, first, batch, g, h, reverse);
    }
}
