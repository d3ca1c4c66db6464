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
public static partial class Lstm
{
    /// <summary>
    /// Whether <see cref="StepPacked"/> takes a layer: a plain cell (no peepholes, not coupled), H a multiple of 32,
    /// 512- or 256-bit vectors.
    /// </summary>
    public static bool PackedStepSupported(int hiddenSize, bool peepholes, bool coupled) =>
        CellPath.Width >= 256 && !peepholes && !coupled && RecurrentPacking.Takes(hiddenSize);

    /// <summary>Floats of a packed W_hh: 4H × H, the same as the matrix.</summary>
    public static int PackedLength(int hiddenSize) => KernelChecks.Elements(4 * hiddenSize, hiddenSize);

    /// <summary>
    /// W_hh [4H × H] (gates i, f, g, o) packed block-major for <see cref="StepPacked"/> on this machine: block b (units
    /// U·b … U·b + U − 1, U = 32 with 512-bit vectors, 16 with 256-bit), row j, 4U floats = gate q's weight from h_j
    /// to unit U·b + u at U·q + u. Pack and step in the same process: the layout follows the vector width.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, or H is not a multiple of 32.</exception>
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
    public static unsafe void StepPacked(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh,
        ReadOnlySpan<float> packedHh, ReadOnlySpan<float> biasHh, Span<float> hidden, Span<float> cell, Span<float> pre, int inputs, int hiddenSize)
    {
        int h = hiddenSize, g = 4 * h;
        if (!PackedStepSupported(h, peepholes: false, coupled: false)) throw new NotSupportedException($"The packed step takes H a multiple of 32 with 512- or 256-bit vectors, not H = {h} here.");
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
        fixed (float* packed = packedHh)
        {
            float first = project ? x[0] : 0f;
            ref float rIh = ref MemoryMarshal.GetReference(weightIh), rBih = ref MemoryMarshal.GetReference(biasIh), rPre = ref MemoryMarshal.GetReference(pre);
            ref float rBias = ref MemoryMarshal.GetReference(biasHh), rh = ref MemoryMarshal.GetReference(hidden), rc = ref MemoryMarshal.GetReference(cell);
            if (CellPath.Width == 512)
                CellGemv.LstmStepPacked<Cell512, Vector512<float>>(first, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, ref rc, h, project);
            else
                CellGemv.LstmStepPacked<Cell256, Vector256<float>>(first, ref rIh, ref rBih, ref rPre, ref rBias, packed, ref rh, ref rc, h, project);
        }
    }
}
