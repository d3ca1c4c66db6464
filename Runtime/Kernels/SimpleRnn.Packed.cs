namespace ModelGen.Kernels;

// A streaming simple-RNN step at batch 1 on W_hh packed in × out (a predictor's copy, Linear.Pack's layout): the
// recurrent product is the packed dense layer's one sequential stream (Linear.ForwardPacked), with none of the
// sequence pass's copies around one step.
public static partial class SimpleRnn
{
    /// <summary>Whether <see cref="StepPacked"/> runs on this machine: 512- or 256-bit vectors (<see cref="Linear.PackedSupported"/>).</summary>
    public static bool PackedStepSupported => Linear.PackedSupported;

    /// <summary>Floats of a packed W_hh: H rows of H floats rounded up to 16 (<see cref="Linear.PackedLength"/>).</summary>
    public static int PackedLength(int hiddenSize) => Linear.PackedLength(hiddenSize, hiddenSize);

    /// <summary>W_hh [H × H] packed in × out for <see cref="StepPacked"/> (<see cref="Linear.Pack"/>).</summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void PackRecurrent(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize) =>
        Linear.Pack(weightHh, packed, hiddenSize, hiddenSize);

    /// <summary>
    /// One streaming step for one example on W_hh packed by <see cref="PackRecurrent"/>: h = g(x·W_ihᵀ + b_ih +
    /// h·W_hhᵀ + b_hh), the state in <paramref name="hidden"/> advanced in place. Sums in another order than
    /// <see cref="Forward"/>, so the results may differ in the last bits.
    /// </summary>
    /// <param name="x">This step's inputs, [inputs].</param>
    /// <param name="weightIh">Input weights, [H × inputs].</param>
    /// <param name="biasIh">Input bias, [H].</param>
    /// <param name="packedHh">W_hh packed by PackRecurrent.</param>
    /// <param name="biasHh">Recurrent bias, [H].</param>
    /// <param name="hidden">The carried h, [H]: read, then overwritten with this step's.</param>
    /// <param name="pre">Scratch for the input projection, [H].</param>
    /// <param name="inputs">Input features.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="activation">Identity, Sigmoid, Tanh or ReLU.</param>
    /// <exception cref="ArgumentException">A span is too short or the activation is not one of those.</exception>
    /// <exception cref="PlatformNotSupportedException">Neither 512- nor 256-bit vectors are accelerated (<see cref="PackedStepSupported"/>).</exception>
    public static void StepPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> packedHh, ReadOnlySpan<float> biasHh, Span<float> hidden, Span<float> pre, int inputs, int hiddenSize, Activation activation)
    {
        CheckActivation(activation);
        int h = hiddenSize;
        if (!PackedStepSupported) throw new PlatformNotSupportedException("The packed step needs 512- or 256-bit vectors; use SimpleRnn.Forward.");
        KernelChecks.AtLeast(x.Length, inputs, nameof(x));
        KernelChecks.AtLeast(weightIh.Length, KernelChecks.Elements(h, inputs), nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, h, nameof(biasIh));
        KernelChecks.AtLeast(packedHh.Length, PackedLength(h), nameof(packedHh));
        KernelChecks.AtLeast(biasHh.Length, h, nameof(biasHh));
        KernelChecks.AtLeast(hidden.Length, h, nameof(hidden));
        KernelChecks.AtLeast(pre.Length, h, nameof(pre));
        Span<float> projection = pre.Slice(0, h), state = hidden.Slice(0, h);
        RecurrentInput.Forward(x, weightIh, biasIh, projection, 1, h, inputs);
        Span<float> sums = CellKernels.Scratch(h); // the product must not write the state it reads
        Linear.ForwardPacked(state, packedHh, biasHh, sums, h, h, Activation.Identity);
        Elementwise.Add(projection, sums, state);
        switch (activation)
        {
            case Activation.Sigmoid: Activations.Sigmoid(state); break;
            case Activation.Tanh: Activations.Tanh(state); break;
            case Activation.ReLU: Activations.Relu(state); break;
        }
    }
}
