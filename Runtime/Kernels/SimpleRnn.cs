namespace ModelGen.Kernels;

/// <summary>
/// Elman recurrent layer s_t = g(pre_t + (s_{t−1} ⊙ mask)·W_hhᵀ + bias_hh) over a time-major [T × B × H]
/// sequence. The caller supplies pre = x·W_ihᵀ + bias_ih for all steps. With <c>reverse</c> the sequence is
/// read from t = T − 1 down to 0 (the "previous" state of step t is that of step t + 1); states are stored at
/// their own t either way. Lengths are validated up front; the kernels then run allocation-free.
/// </summary>
public static partial class SimpleRnn
{
    /// <summary>Floats of scratch <see cref="Backward"/> needs: batch·hidden.</summary>
    public static int WorkspaceLength(int batch, int hidden) => KernelChecks.Elements(batch, hidden);

    /// <summary>Runs the recurrence over <paramref name="steps"/> steps.</summary>
    /// <param name="pre">Input projections, [T × B × H].</param>
    /// <param name="weightHh">Recurrent weights, [H × H] (PyTorch weight_hh).</param>
    /// <param name="biasHh">Recurrent bias, [H].</param>
    /// <param name="initialState">State before the first processed step, [B × H].</param>
    /// <param name="states">Receives every step's state, [T × B × H].</param>
    /// <param name="steps">Steps T used (the spans may be longer).</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hidden">Units H.</param>
    /// <param name="activation">g: Identity, Sigmoid, Tanh or ReLU.</param>
    /// <param name="reverse">Process t = T − 1 … 0.</param>
    /// <param name="recurrentMask">Empty, or a [B × H] mask multiplied into the previous state before the recurrent product.</param>
    /// <exception cref="ArgumentException">A span is too short or the activation is Softmax.</exception>
    public static void Forward(ReadOnlySpan<float> pre, ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> initialState, Span<float> states, int steps, int batch, int hidden, Activation activation,
        bool reverse, ReadOnlySpan<float> recurrentMask)
    {
        CheckActivation(activation);
        Recurrence.CheckSizes(steps, batch, hidden);
        int bh = KernelChecks.Elements(batch, hidden);
        int total = KernelChecks.Elements(steps, bh);
        KernelChecks.AtLeast(pre.Length, total, nameof(pre));
        KernelChecks.AtLeast(weightHh.Length, KernelChecks.Elements(hidden, hidden), nameof(weightHh));
        KernelChecks.AtLeast(biasHh.Length, hidden, nameof(biasHh));
        KernelChecks.AtLeast(initialState.Length, bh, nameof(initialState));
        KernelChecks.AtLeast(states.Length, total, nameof(states));
        Recurrence.CheckMask(recurrentMask, bh);

        ReadOnlySpan<float> w = weightHh.Slice(0, hidden * hidden), bias = biasHh.Slice(0, hidden);
        for (int s = 0; s < steps; s++)
        {
            int t = Recurrence.Time(s, steps, reverse);
            ReadOnlySpan<float> previous = Recurrence.Previous(states, initialState, s, steps, reverse, bh);
            Span<float> current = states.Slice(t * bh, bh);
            pre.Slice(t * bh, bh).CopyTo(current);
            Bias.AddRows(current, bias, batch, hidden);
            if (recurrentMask.IsEmpty) Gemm.MultiplyTransposedB(previous, w, current, batch, hidden, hidden, accumulate: true);
            else Recurrence.MaskedMultiplyTransposedB(previous, recurrentMask, w, current, batch, hidden, hidden);
            switch (activation)
            {
                case Activation.Sigmoid: Activations.Sigmoid(current); break;
                case Activation.Tanh: Activations.Tanh(current); break;
                case Activation.ReLU: Activations.Relu(current); break;
            }
        }
    }

    /// <summary>
    /// Back-propagation through time over the last <paramref name="backpropSteps"/> processed steps. Writes dPre
    /// (zero rows for the steps not back-propagated) and dInitialState (zero under truncation); accumulates
    /// dWeightHh and dBiasHh.
    /// </summary>
    /// <param name="states">States from <see cref="Forward"/>, [T × B × H].</param>
    /// <param name="initialState">The forward pass's initial state, [B × H].</param>
    /// <param name="weightHh">Recurrent weights, [H × H].</param>
    /// <param name="dOutput">Loss gradient w.r.t. each step's state from above, [T × B × H]; overwritten (used as the carry).</param>
    /// <param name="dPre">Receives the gradient w.r.t. pre, [T × B × H].</param>
    /// <param name="dWeightHh">Accumulates the recurrent weight gradient, [H × H].</param>
    /// <param name="dBiasHh">Accumulates the recurrent bias gradient, [H].</param>
    /// <param name="dInitialState">Receives the gradient w.r.t. the initial state, [B × H].</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="steps">Steps T.</param>
    /// <param name="backpropSteps">Truncation: only the last this many processed steps are back-propagated.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hidden">Units H.</param>
    /// <param name="activation">The forward activation.</param>
    /// <param name="reverse">The forward direction flag.</param>
    /// <param name="recurrentMask">The forward recurrent mask (empty for none).</param>
    /// <exception cref="ArgumentException">A span is too short or the activation is Softmax.</exception>
    public static void Backward(ReadOnlySpan<float> states, ReadOnlySpan<float> initialState, ReadOnlySpan<float> weightHh,
        Span<float> dOutput, Span<float> dPre, Span<float> dWeightHh, Span<float> dBiasHh, Span<float> dInitialState,
        Span<float> workspace, int steps, int backpropSteps, int batch, int hidden, Activation activation, bool reverse,
        ReadOnlySpan<float> recurrentMask)
    {
        CheckActivation(activation);
        Recurrence.CheckSizes(steps, batch, hidden);
        int first = Recurrence.FirstStep(steps, backpropSteps);
        int bh = KernelChecks.Elements(batch, hidden);
        int total = KernelChecks.Elements(steps, bh);
        int weights = KernelChecks.Elements(hidden, hidden);
        KernelChecks.AtLeast(states.Length, total, nameof(states));
        KernelChecks.AtLeast(initialState.Length, bh, nameof(initialState));
        KernelChecks.AtLeast(weightHh.Length, weights, nameof(weightHh));
        KernelChecks.AtLeast(dOutput.Length, total, nameof(dOutput));
        KernelChecks.AtLeast(dPre.Length, total, nameof(dPre));
        KernelChecks.AtLeast(dWeightHh.Length, weights, nameof(dWeightHh));
        KernelChecks.AtLeast(dBiasHh.Length, hidden, nameof(dBiasHh));
        KernelChecks.AtLeast(dInitialState.Length, bh, nameof(dInitialState));
        KernelChecks.AtLeast(workspace.Length, bh, nameof(workspace));
        Recurrence.CheckMask(recurrentMask, bh);

        ReadOnlySpan<float> w = weightHh.Slice(0, weights);
        Recurrence.ClearUntrained(dPre, steps, first, reverse, bh);
        if (first > 0 || steps == 0) dInitialState.Slice(0, bh).Clear();

        for (int s = steps - 1; s >= first; s--)
        {
            int t = Recurrence.Time(s, steps, reverse);
            Span<float> dz = dPre.Slice(t * bh, bh);
            dOutput.Slice(t * bh, bh).CopyTo(dz);
            ReadOnlySpan<float> y = states.Slice(t * bh, bh);
            switch (activation)
            {
                case Activation.Sigmoid: Activations.SigmoidBackward(y, dz); break;
                case Activation.Tanh: Activations.TanhBackward(y, dz); break;
                case Activation.ReLU: Activations.ReluBackward(y, dz); break;
            }
            if (s == first && first > 0) break; // the state entering the window is a constant
            Span<float> target = s == 0 ? dInitialState.Slice(0, bh) : dOutput.Slice(Recurrence.Time(s - 1, steps, reverse) * bh, bh);
            Recurrence.PropagateHidden(dz, w, recurrentMask, target, workspace, batch, hidden, hidden, accumulate: s > 0);
        }

        Recurrence.AccumulateParameters(dPre, states, initialState, recurrentMask, dWeightHh, dBiasHh, workspace,
            steps, first, batch, hidden, hidden, reverse);
    }

    private static void CheckActivation(Activation activation)
    {
        if (activation is not (Activation.Identity or Activation.Sigmoid or Activation.Tanh or Activation.ReLU))
            throw new ArgumentException(
                $"A recurrent layer supports Identity, Sigmoid, Tanh or ReLU, not {activation}.", nameof(activation));
    }
}
