namespace ModelGen.Kernels;

public static partial class Lstm
{
    /// <summary>
    /// <see cref="Forward"/> for one input feature, with the projection formed step by step: step t first writes
    /// x_t·w_ih + bias_ih into its own rows of <paramref name="gates"/>, as <see cref="RecurrentInput.Forward"/> would
    /// have over all steps beforehand (the same bits), and reads them while they are still in L1 (W4: 1.6 MB that
    /// would otherwise be written in full, then read back step by step from L2).
    /// </summary>
    /// <param name="x">The input sequence, [T × B], one feature per step and example.</param>
    /// <param name="weightIh">Input weights, [G] (G × 1).</param>
    /// <param name="biasIh">Input bias, [G].</param>
    /// <param name="weightHh">Recurrent weights, [G × H].</param>
    /// <param name="biasHh">Recurrent bias, [G].</param>
    /// <param name="peepholeWeights">As for <see cref="Forward"/>.</param>
    /// <param name="initialHidden">h before the first processed step, [B × H].</param>
    /// <param name="initialCell">C before the first processed step, [B × H].</param>
    /// <param name="gates">Receives each step's projections, then its post-activation gates, [T × B × G].</param>
    /// <param name="cells">Receives C_t, [T × B × H].</param>
    /// <param name="hidden">Receives h_t, [T × B × H].</param>
    /// <param name="steps">Steps T used.</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="peepholes">Use peephole connections.</param>
    /// <param name="coupled">Couple the input gate to the forget gate.</param>
    /// <param name="reverse">Process t = T − 1 … 0.</param>
    /// <param name="recurrentMask">Empty, or a [B × H] mask multiplied into h_{t−1} before the recurrent product.</param>
    /// <param name="descending">As for <see cref="Forward"/>.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void ForwardSingleInput(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> peepholeWeights, ReadOnlySpan<float> initialHidden,
        ReadOnlySpan<float> initialCell, Span<float> gates, Span<float> cells, Span<float> hidden, int steps, int batch, int hiddenSize,
        bool peepholes, bool coupled, bool reverse, ReadOnlySpan<float> recurrentMask, bool descending = false)
    {
        Recurrence.CheckSizes(steps, batch, hiddenSize);
        int g = GateCount(hiddenSize, coupled);
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(steps, batch), nameof(x));
        KernelChecks.AtLeast(weightIh.Length, g, nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, g, nameof(biasIh));
        var projection = new StepProjection(x, weightIh.Slice(0, g), biasIh.Slice(0, g));
        Run(gates, projection, weightHh, biasHh, peepholeWeights, initialHidden, initialCell, gates, cells, hidden, steps, batch, hiddenSize,
            peepholes, coupled, reverse, recurrentMask, descending);
    }

    /// <summary>One input feature's projection, formed at the start of each step (empty: pre holds the projections).</summary>
    private readonly ref struct StepProjection(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh)
    {
        private readonly ReadOnlySpan<float> _x = x, _weightIh = weightIh, _biasIh = biasIh;

        public bool IsEmpty => _x.IsEmpty;

        /// <summary>Step time index t's projections into <paramref name="pre"/> (that step's [B × G] rows).</summary>
        public void Into(Span<float> pre, int t, int batch, int g) => RecurrentInput.Forward(_x.Slice(t * batch, batch), _weightIh, _biasIh, pre, batch, g, 1);
    }
}
