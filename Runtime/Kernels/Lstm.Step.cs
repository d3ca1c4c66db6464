using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

public static partial class Lstm
{
    /// <summary>
    /// One streaming step of a forward LSTM from the carried state into itself: pre = x·W_ihᵀ + bias_ih
    /// (<see cref="RecurrentInput.Forward"/>), then one step of <see cref="Forward"/> reading h and C from
    /// <paramref name="hidden"/> and <paramref name="cell"/> and writing them back there. At batch 1 with one input
    /// feature and a plain cell (no peepholes, not coupled) on AVX-512, the projection is formed in registers inside
    /// the fused step (<see cref="CellGemv.LstmStep512(float, ref float, ref float, ref float, ref float, ref float, ref float, ref float, ref float, ref float, int, bool)"/>)
    /// and neither <paramref name="pre"/> nor <paramref name="gates"/> is written; the result is the same bits either way.
    /// </summary>
    /// <param name="x">This step's inputs, [B × inputs].</param>
    /// <param name="weightIh">Input weights, [G × inputs].</param>
    /// <param name="biasIh">Input bias, [G].</param>
    /// <param name="weightHh">Recurrent weights, [G × H].</param>
    /// <param name="biasHh">Recurrent bias, [G].</param>
    /// <param name="peepholeWeights">[3H] (coupled: [2H]) when <paramref name="peepholes"/> is set; otherwise ignored.</param>
    /// <param name="hidden">The carried h, [B × H]: read, then overwritten with this step's.</param>
    /// <param name="cell">The carried C, [B × H]: read, then overwritten with this step's.</param>
    /// <param name="pre">Scratch for the input projections, [B × G] (contents unspecified afterwards).</param>
    /// <param name="gates">Scratch for the activated gates, [B × G] (contents unspecified afterwards).</param>
    /// <param name="batch">Examples B.</param>
    /// <param name="inputs">Input features per example.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <param name="peepholes">Use peephole connections.</param>
    /// <param name="coupled">Couple the input gate to the forget gate (i = 1 − f).</param>
    /// <param name="descending">At batch 1, the direction W_hh's blocks of units are read in (see <see cref="Forward"/>).</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Step(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> weightHh, ReadOnlySpan<float> biasHh, ReadOnlySpan<float> peepholeWeights,
        Span<float> hidden, Span<float> cell, Span<float> pre, Span<float> gates,
        int batch, int inputs, int hiddenSize, bool peepholes, bool coupled, bool descending = false)
    {
        if (inputs != 1 || !RunsFusedStep(batch, hiddenSize, peepholes, coupled))
        {
            RecurrentInput.Forward(x, weightIh, biasIh, pre, batch, GateCount(hiddenSize, coupled), inputs);
            Forward(pre, weightHh, biasHh, peepholeWeights, hidden, cell, gates, cell, hidden, 1, batch, hiddenSize,
                peepholes, coupled, reverse: false, recurrentMask: default, descending);
            return;
        }

        // The checks of the two kernels above, so a wrong size throws the same way on either path.
        int h = hiddenSize, g = GateCount(h, coupled: false);
        KernelChecks.AtLeast(x.Length, 1, nameof(x));
        KernelChecks.AtLeast(weightIh.Length, g, nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, g, nameof(biasIh));
        KernelChecks.AtLeast(pre.Length, g, nameof(pre));
        KernelChecks.AtLeast(weightHh.Length, KernelChecks.Elements(g, h), nameof(weightHh));
        KernelChecks.AtLeast(biasHh.Length, g, nameof(biasHh));
        KernelChecks.AtLeast(hidden.Length, h, nameof(hidden));
        KernelChecks.AtLeast(cell.Length, h, nameof(cell));
        KernelChecks.AtLeast(gates.Length, g, nameof(gates));
        ref float rh = ref MemoryMarshal.GetReference(hidden), rc = ref MemoryMarshal.GetReference(cell);
        CellGemv.LstmStep512(x[0], ref MemoryMarshal.GetReference(weightIh), ref MemoryMarshal.GetReference(biasIh),
            ref MemoryMarshal.GetReference(biasHh), ref MemoryMarshal.GetReference(weightHh), ref rh, ref rc,
            ref Unsafe.NullRef<float>(), ref rc, ref rh, h, descending);
    }
}
