using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

// A streaming LSTM step at batch 1 on W_hh packed block-major (a predictor's copy): per block of two vectors of units
// (32 with 512-bit vectors, 16 with 256-bit), row j holds the weights that h_j feeds, gates i, f, g, o of those
// units, so the product is one sequential stream with one broadcast of h_j per row and no reductions. Intel Xeon,
// H = 128, scratch loop, five rounds: 4.4–4.8 µs per step against 4.9–5.3 for the fused out × in step
// (CellGemv.LstmStep512); with AVX-512 off, the W3-H128 predictor against the model's step: see the README. For every
// H a multiple of 32: at H = 32, 64 and 96 (public Step against StepPacked, best of nine 60 ms slices, one process)
// 380 → 250, 1179 → 1149 and 3787 → 2352 ns with 512-bit vectors, 697 → 464, 1912 → 1511, 4856 → 2839 with 256-bit.
// Other H run with their units padded to a multiple of 32 (zero weights; the gate vectors and the state copied into
// padded scratch around the step, RecurrentPacking.PadGates), two processes: H = 4, 8, 12, 20, 24, 40, 50, 100:
// 647–669 → 333–345, 1150–1317 → 301–343, 1664–2225 → 303–384, 931–1520 → 288–407, 1495–2538 → 293–414,
// 2919–4128 → 717–1211, 1888–1930 → 945–957, 5121–6288 → 2949–3228 ns; but at H = 1, 16 and 48, where the model's
// step runs whole vectors (or one unit) with half the padded step's cell work, 284–295, 196–201, 602–645 against
// 320–350, 332–338, 871–1132: not taken (RecurrentPacking.Takes).
public static partial class Lstm
{
    /// <summary>
    /// Whether <see cref="StepPacked"/> takes a layer: a plain cell (no peepholes, not coupled), H a multiple of 32
    /// or, from 2 on, not a multiple of 16 (at H = 1 and the odd multiples of 16 the model's step is faster), 512- or
    /// 256-bit vectors.
    /// </summary>
    public static bool PackedStepSupported(int hiddenSize, bool peepholes, bool coupled) =>
        CellPath.Width >= 256 && !peepholes && !coupled && RecurrentPacking.Takes(hiddenSize);

    /// <summary>Floats of a packed W_hh: 4P × H, P = H rounded up to a multiple of 32 (the matrix itself when H is one).</summary>
    public static int PackedLength(int hiddenSize) => RecurrentPacking.Length(hiddenSize, 4);

    /// <summary>
    /// W_hh [4H × H] (gates i, f, g, o) packed block-major for <see cref="StepPacked"/> on this machine: block b (units
    /// U·b … U·b + U − 1, U = 32 with 512-bit vectors, 16 with 256-bit), row j, 4U floats = gate q's weight from h_j
    /// to unit U·b + u at U·q + u; units from H to the next multiple of 32 have zero weights. Pack and step in the same
    /// process: the layout follows the vector width.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or H is not positive.</exception>
    public static void PackRecurrent(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize) =>
        PackRecurrent(weightHh, packed, hiddenSize, RecurrentPacking.BlockUnits);

    /// <summary><see cref="PackRecurrent(ReadOnlySpan{float}, Span{float}, int)"/> with blocks of <paramref name="blockUnits"/> units.</summary>
    internal static void PackRecurrent(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize, int blockUnits) =>
        RecurrentPacking.Pack(weightHh, packed, hiddenSize, 4, blockUnits);

    /// <summary>
    /// <see cref="Step"/> for one example on W_hh packed by <see cref="PackRecurrent(ReadOnlySpan{float}, Span{float}, int)"/>: the state in
    /// <paramref name="hidden"/> and <paramref name="cell"/> advanced one step in place. Sums in another order than
    /// Step, so the results may differ in the last bits.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    /// <exception cref="NotSupportedException">The layer or the machine does not allow it (<see cref="PackedStepSupported"/>).</exception>
    public static void StepPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> packedHh, ReadOnlySpan<float> biasHh, Span<float> hidden, Span<float> cell, Span<float> pre, int inputs, int hiddenSize)
    {
        int h = hiddenSize, g = 4 * h;
        if (!PackedStepSupported(h, peepholes: false, coupled: false)) throw new NotSupportedException($"The packed step takes H a multiple of 32 or, from 2 on, not a multiple of 16 (the model's step is faster there), with 512- or 256-bit vectors; not H = {h} here.");
        KernelChecks.AtLeast(x.Length, inputs, nameof(x));
        KernelChecks.AtLeast(weightIh.Length, KernelChecks.Elements(g, inputs), nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, g, nameof(biasIh));
        KernelChecks.AtLeast(packedHh.Length, PackedLength(h), nameof(packedHh));
        KernelChecks.AtLeast(biasHh.Length, g, nameof(biasHh));
        KernelChecks.AtLeast(hidden.Length, h, nameof(hidden));
        KernelChecks.AtLeast(cell.Length, h, nameof(cell));
        KernelChecks.AtLeast(pre.Length, g, nameof(pre));
        bool project = inputs == 1;
        if (!project) RecurrentInput.Forward(x, weightIh, biasIh, pre, 1, g, inputs);
        float first = project ? x[0] : 0f;
        int p = RecurrentPacking.PaddedUnits(h);
        if (p == h)
        {
            StepUnits(first, weightIh, biasIh, pre, biasHh, packedHh, hidden, cell, h, h, project);
            return;
        }

        // H not a multiple of 32: the gate vectors and the state laid out for the padded units (zeros past H, which
        // stay zero: zero weights, zero inputs), stepped there, and the H units copied back.
        Span<float> scratch = CellKernels.Scratch(KernelChecks.Elements(14, p));
        Span<float> ih = scratch.Slice(0, 4 * p), source = scratch.Slice(4 * p, 4 * p), bias = scratch.Slice(8 * p, 4 * p);
        Span<float> state = scratch.Slice(12 * p, p), memory = scratch.Slice(13 * p, p);
        if (project) RecurrentPacking.PadGates(weightIh, ih, 4, h);
        RecurrentPacking.PadGates(project ? biasIh : pre, source, 4, h);
        RecurrentPacking.PadGates(biasHh, bias, 4, h);
        RecurrentPacking.PadGates(hidden.Slice(0, h), state, 1, h);
        RecurrentPacking.PadGates(cell.Slice(0, h), memory, 1, h);
        StepUnits(first, ih, source, source, bias, packedHh, state, memory, p, h, project);
        state.Slice(0, h).CopyTo(hidden);
        memory.Slice(0, h).CopyTo(cell);
    }

    private static unsafe void StepUnits(float x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> pre, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> packedHh, Span<float> hidden, Span<float> cell, int units, int rows, bool project)
    {
        fixed (float* packed = packedHh)
        {
            ref float rIh = ref MemoryMarshal.GetReference(weightIh), rBih = ref MemoryMarshal.GetReference(biasIh), rPre = ref MemoryMarshal.GetReference(pre);
            ref float rBias = ref MemoryMarshal.GetReference(bias), rh = ref MemoryMarshal.GetReference(hidden), rc = ref MemoryMarshal.GetReference(cell);
            if (CellPath.Width == 512)
                CellGemv.LstmStepPacked<Cell512, Vector512<float>>(x, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, ref rc, units, rows, project);
            else
                CellGemv.LstmStepPacked<Cell256, Vector256<float>>(x, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, ref rc, units, rows, project);
        }
    }
}
