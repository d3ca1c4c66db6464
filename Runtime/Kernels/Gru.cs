using System.Numerics.Tensors;

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
public static class Gru
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
        bool masked = !recurrentMask.IsEmpty;
        ReadOnlySpan<float> mask = masked ? recurrentMask.Slice(0, bh) : default;

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
                    TensorPrimitives.Multiply(hp, mask, hm);
                    hIn = hm;
                }
                Recurrence.FillRows(hh, bias, batch);
                Gemm.MultiplyTransposedB(hIn, w, hh, batch, g, h, accumulate: true);
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> hhb = hh.Slice(b * g, g), pb = pt.Slice(b * g, g), hpb = hp.Slice(b * h, h);
                    Span<float> gb = gt.Slice(b * s4, s4), hb = ht.Slice(b * h, h);
                    Span<float> rz = gb.Slice(0, 2 * h), n = gb.Slice(2 * h, h);
                    TensorPrimitives.Add(pb.Slice(0, 2 * h), hhb.Slice(0, 2 * h), rz);
                    TensorPrimitives.Sigmoid(rz, rz);
                    ReadOnlySpan<float> hhn = hhb.Slice(2 * h, h);
                    hhn.CopyTo(gb.Slice(3 * h, h));
                    TensorPrimitives.MultiplyAdd(rz.Slice(0, h), hhn, pb.Slice(2 * h, h), n);
                    TensorPrimitives.Tanh(n, n);
                    // h = (1 − z) ⊙ n + z ⊙ h_prev = n + z ⊙ (h_prev − n)
                    TensorPrimitives.Subtract(hpb, n, hb);
                    TensorPrimitives.MultiplyAdd(rz.Slice(h, h), hb, n, hb);
                }
            }
            else
            {
                Span<float> rzOut = workspace.Slice(0, 2 * bh), nOut = workspace.Slice(0, bh);
                Span<float> hm = workspace.Slice(2 * bh, bh), rh = workspace.Slice(3 * bh, bh);
                ReadOnlySpan<float> hIn = hp;
                if (masked)
                {
                    TensorPrimitives.Multiply(hp, mask, hm);
                    hIn = hm;
                }
                Recurrence.FillRows(rzOut, bias.Slice(0, 2 * h), batch);
                Gemm.MultiplyTransposedB(hIn, w.Slice(0, 2 * h * h), rzOut, batch, 2 * h, h, accumulate: true);
                for (int b = 0; b < batch; b++)
                {
                    Span<float> gb = gt.Slice(b * s4, s4), rz = gb.Slice(0, 2 * h), rhb = rh.Slice(b * h, h);
                    TensorPrimitives.Add(pt.Slice(b * g, 2 * h), rzOut.Slice(b * 2 * h, 2 * h), rz);
                    TensorPrimitives.Sigmoid(rz, rz);
                    TensorPrimitives.Multiply(rz.Slice(0, h), hIn.Slice(b * h, h), rhb);
                    rhb.CopyTo(gb.Slice(3 * h, h));
                }
                Recurrence.FillRows(nOut, bias.Slice(2 * h, h), batch);
                Gemm.MultiplyTransposedB(rh, w.Slice(2 * h * h, h * h), nOut, batch, h, h, accumulate: true);
                for (int b = 0; b < batch; b++)
                {
                    Span<float> gb = gt.Slice(b * s4, s4), n = gb.Slice(2 * h, h), hb = ht.Slice(b * h, h);
                    ReadOnlySpan<float> hpb = hp.Slice(b * h, h);
                    TensorPrimitives.Add(pt.Slice(b * g + 2 * h, h), nOut.Slice(b * h, h), n);
                    TensorPrimitives.Tanh(n, n);
                    // h = (1 − z) ⊙ h_prev + z ⊙ h̃ = h_prev + z ⊙ (h̃ − h_prev)
                    TensorPrimitives.Subtract(n, hpb, hb);
                    TensorPrimitives.MultiplyAdd(gb.Slice(h, h), hb, hpb, hb);
                }
            }
        }
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
                Span<float> dhh = workspace.Slice(0, bg), scratch = workspace.Slice(bg, bh);
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> gb = gt.Slice(b * s4, s4), hpb = hp.Slice(b * h, h), dhb = dh.Slice(b * h, h);
                    Span<float> dpb = dp.Slice(b * g, g), dhhb = dhh.Slice(b * g, g);
                    for (int j = 0; j < h; j++)
                    {
                        float r = gb[j], z = gb[h + j], n = gb[2 * h + j], hhn = gb[3 * h + j], dhv = dhb[j];
                        float dan = dhv * (1f - z) * (1f - n * n);
                        float dar = dan * hhn * r * (1f - r);
                        float daz = dhv * (hpb[j] - n) * z * (1f - z);
                        dpb[j] = dar;
                        dpb[h + j] = daz;
                        dpb[2 * h + j] = dan;
                        dhhb[j] = dar;
                        dhhb[h + j] = daz;
                        dhhb[2 * h + j] = dan * r;
                        if (carry)
                        {
                            float direct = dhv * z;
                            if (s == 0) target[b * h + j] = direct;
                            else target[b * h + j] += direct;
                        }
                    }
                }
                Bias.AccumulateRowSums(dhh, dBiasHh, batch, g);
                ReadOnlySpan<float> hIn = hp;
                if (masked)
                {
                    TensorPrimitives.Multiply(hp, mask, scratch);
                    hIn = scratch;
                }
                Gemm.MultiplyTransposedA(dhh, hIn, dWeightHh, g, h, batch, accumulate: true);
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
                    TensorPrimitives.Multiply(hp, mask, dAn); // dA_n is no longer needed
                    hIn = dAn;
                }
                Gemm.MultiplyTransposedA(dArz, hIn, dWeightHh.Slice(0, 2 * h * h), 2 * h, h, batch, accumulate: true);
                if (carry)
                {
                    Gemm.Multiply(dArz, w.Slice(0, 2 * h * h), dRh, batch, h, 2 * h, accumulate: true);
                    if (masked) TensorPrimitives.MultiplyAdd(dRh, mask, target, target);
                    else TensorPrimitives.Add(target, dRh, target);
                }
            }
        }
    }
}
