using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

// A streaming GRU step at batch 1 on W_hh packed block-major (a predictor's copy), as Lstm.StepPacked for the LSTM:
// per block of two vectors of units, row j holds the weights that h_j feeds, gates r, z, n of those units, so the
// product is one sequential stream with one broadcast of h_j per row and no reductions. PyTorch's cell (reset after
// the product) only: the classic cell needs r before its second product. At H = 32, 64 and 96 (the model's one-step
// path, RecurrentInput.Forward then Gru.Forward, against StepPacked; best of nine 60 ms slices, one process):
// 424 → 229, 1101 → 828 and 3064 → 1722 ns with 512-bit vectors, 525 → 302, 1415 → 1083, 4110 → 2591 with 256-bit.
// Padded units (see Lstm.Packed.cs), H = 4, 8, 12, 20, 24, 40, 50, 100, two processes: 383–398 → 165–173,
// 627–788 → 178–197, 1045–1267 → 197–233, 1141–1201 → 278–289, 1118–1238 → 223–224, 1651–1955 → 442–486,
// 1394–1401 → 498–563, 3736–3948 → 1998–2080 ns; H = 16, 48 (not taken): 245–246, 427–490 against 254–261, 503–559.
public static partial class Gru
{
    /// <summary>
    /// Whether <see cref="StepPacked"/> takes a layer: the reset-after cell, H a multiple of 32 or, from 2 on, not a
    /// multiple of 16 (at H = 1 and the odd multiples of 16 the model's step is faster), 512- or 256-bit vectors.
    /// </summary>
    public static bool PackedStepSupported(int hiddenSize, bool resetAfter) =>
        CellPath.Width >= 256 && resetAfter && RecurrentPacking.Takes(hiddenSize);

    /// <summary>Floats of a packed W_hh: 3P × H, P = H rounded up to a multiple of 32 (the matrix itself when H is one).</summary>
    public static int PackedLength(int hiddenSize) => RecurrentPacking.Length(hiddenSize, 3);

    /// <summary>
    /// W_hh [3H × H] (gates r, z, n) packed block-major for <see cref="StepPacked"/> on this machine: block b (units
    /// U·b … U·b + U − 1, U = 32 with 512-bit vectors, 16 with 256-bit), row j, 3U floats = gate q's weight from h_j
    /// to unit U·b + u at U·q + u; units from H to the next multiple of 32 have zero weights. Pack and step in the same
    /// process: the layout follows the vector width.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or H is not positive.</exception>
    public static void PackRecurrent(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize) =>
        PackRecurrent(weightHh, packed, hiddenSize, RecurrentPacking.BlockUnits);

    /// <summary><see cref="PackRecurrent(ReadOnlySpan{float}, Span{float}, int)"/> with blocks of <paramref name="blockUnits"/> units.</summary>
    internal static void PackRecurrent(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize, int blockUnits) =>
        RecurrentPacking.Pack(weightHh, packed, hiddenSize, 3, blockUnits);

    /// <summary>
    /// One streaming step for one example (reset-after cell) on W_hh packed by
    /// <see cref="PackRecurrent(ReadOnlySpan{float}, Span{float}, int)"/>: the state in <paramref name="hidden"/>
    /// advanced in place. Sums in another order than <see cref="Forward"/>, so the results may differ in the last bits.
    /// </summary>
    /// <param name="x">This step's inputs, [inputs].</param>
    /// <param name="weightIh">Input weights, [3H × inputs].</param>
    /// <param name="biasIh">Input bias, [3H].</param>
    /// <param name="packedHh">W_hh packed by PackRecurrent.</param>
    /// <param name="biasHh">Recurrent bias, [3H].</param>
    /// <param name="hidden">The carried h, [H]: read, then overwritten with this step's.</param>
    /// <param name="pre">Scratch for the input projection, [3H] (unused with one input feature).</param>
    /// <param name="inputs">Input features.</param>
    /// <param name="hiddenSize">Units H.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    /// <exception cref="NotSupportedException">The layer or the machine does not allow it (<see cref="PackedStepSupported"/>).</exception>
    public static void StepPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> packedHh, ReadOnlySpan<float> biasHh, Span<float> hidden, Span<float> pre, int inputs, int hiddenSize)
    {
        int h = hiddenSize, g = 3 * h;
        if (!PackedStepSupported(h, resetAfter: true)) throw new NotSupportedException($"The packed step takes H a multiple of 32 or, from 2 on, not a multiple of 16 (the model's step is faster there), with 512- or 256-bit vectors; not H = {h} here.");
        KernelChecks.AtLeast(x.Length, inputs, nameof(x));
        KernelChecks.AtLeast(weightIh.Length, KernelChecks.Elements(g, inputs), nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, g, nameof(biasIh));
        KernelChecks.AtLeast(packedHh.Length, PackedLength(h), nameof(packedHh));
        KernelChecks.AtLeast(biasHh.Length, g, nameof(biasHh));
        KernelChecks.AtLeast(hidden.Length, h, nameof(hidden));
        KernelChecks.AtLeast(pre.Length, g, nameof(pre));
        bool project = inputs == 1;
        if (!project) RecurrentInput.Forward(x, weightIh, biasIh, pre, 1, g, inputs);
        float first = project ? x[0] : 0f;
        int p = RecurrentPacking.PaddedUnits(h);
        if (p == h)
        {
            StepUnits(first, weightIh, biasIh, pre, biasHh, packedHh, hidden, h, h, project);
            return;
        }

        // H not a multiple of 32: the gate vectors and the state laid out for the padded units (zeros past H, which
        // stay zero: zero weights, zero inputs), stepped there, and the H units copied back.
        Span<float> scratch = CellKernels.Scratch(KernelChecks.Elements(10, p));
        Span<float> ih = scratch.Slice(0, 3 * p), source = scratch.Slice(3 * p, 3 * p), bias = scratch.Slice(6 * p, 3 * p), state = scratch.Slice(9 * p, p);
        if (project) RecurrentPacking.PadGates(weightIh, ih, 3, h);
        RecurrentPacking.PadGates(project ? biasIh : pre, source, 3, h);
        RecurrentPacking.PadGates(biasHh, bias, 3, h);
        RecurrentPacking.PadGates(hidden.Slice(0, h), state, 1, h);
        StepUnits(first, ih, source, source, bias, packedHh, state, p, h, project);
        state.Slice(0, h).CopyTo(hidden);
    }

    private static unsafe void StepUnits(float x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> pre, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> packedHh, Span<float> hidden, int units, int rows, bool project)
    {
        fixed (float* packed = packedHh)
        {
            ref float rIh = ref MemoryMarshal.GetReference(weightIh), rBih = ref MemoryMarshal.GetReference(biasIh), rPre = ref MemoryMarshal.GetReference(pre);
            ref float rBias = ref MemoryMarshal.GetReference(bias), rh = ref MemoryMarshal.GetReference(hidden);
            if (CellPath.Width == 512)
                CellGemv.GruStepPacked<Cell512, Vector512<float>>(x, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, units, rows, project);
            else
                CellGemv.GruStepPacked<Cell256, Vector256<float>>(x, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, units, rows, project);
        }
    }
}
