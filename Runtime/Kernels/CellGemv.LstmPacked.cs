using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

internal static partial class CellGemv
{
    /// <summary>
    /// One batch-1 LSTM step (plain cell) on W_hh packed by <c>Lstm.PackRecurrent</c> for this vector width: for each
    /// block of 2·Count units (32 with 512-bit vectors, 16 with 256-bit), the 8·Count gate sums [i, f, g, o] × units =
    /// Σ_j h_j·P[block, j, :], eight accumulators fed by one broadcast of h_j per row (one sequential stream), then
    /// the cell update of <c>Lstm.CellForward</c> for the block's two vectors of units. h_{t−1} is copied before
    /// anything is written, so <paramref name="h"/> may be the state read. With one input feature
    /// (<paramref name="project"/>) the projection x·w_ih + b_ih is formed in registers and <paramref name="pre"/> is
    /// not read. <paramref name="units"/> (a multiple of 2·Count) is the gates' stride and the state's length,
    /// <paramref name="rows"/> ≤ units the h_j that feed them (H; the units past it are padding).
    /// </summary>
    [SkipLocalsInit]
    public static unsafe void LstmStepPacked<TOps, TV>(float x, ref float weightIh, ref float biasIh, ref float pre, ref float bias, float* packed,
        ref float h, ref float c, int units, int rows, bool project)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int n = TOps.Count;
        float* hPrev = stackalloc float[units];
        for (int j = 0; j < units; j += n)
            TOps.Store(TOps.Load(ref Unsafe.Add(ref h, j)), ref *(hPrev + j));

        var input = new PackedInput<TOps, TV>(project, x, ref weightIh, ref project ? ref biasIh : ref pre, ref bias);
        TV zero = TOps.Broadcast(0f);
        float* w = packed;
        for (int u = 0; u < units; u += 2 * n)
        {
            TV a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
            for (int j = 0; j < rows; j++, w += 8 * n)
            {
                TV hj = TOps.Broadcast(hPrev[j]);
                a0 = TOps.MultiplyAdd(TOps.Load(ref *w), hj, a0); a1 = TOps.MultiplyAdd(TOps.Load(ref *(w + n)), hj, a1);
                a2 = TOps.MultiplyAdd(TOps.Load(ref *(w + (2 * n))), hj, a2); a3 = TOps.MultiplyAdd(TOps.Load(ref *(w + (3 * n))), hj, a3);
                a4 = TOps.MultiplyAdd(TOps.Load(ref *(w + (4 * n))), hj, a4); a5 = TOps.MultiplyAdd(TOps.Load(ref *(w + (5 * n))), hj, a5);
                a6 = TOps.MultiplyAdd(TOps.Load(ref *(w + (6 * n))), hj, a6); a7 = TOps.MultiplyAdd(TOps.Load(ref *(w + (7 * n))), hj, a7);
            }

            // a0, a1: gate i of the block's units; a2, a3: f; a4, a5: g; a6, a7: o.
            PackedCell(a0, a2, a4, a6, input, ref c, ref h, u, units);
            PackedCell(a1, a3, a5, a7, input, ref c, ref h, u + n, units);
        }
    }

    /// <summary>Units j … j + Count − 1 from their four gate sums, C and h updated in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackedCell<TOps, TV>(TV si, TV sf, TV sg, TV so, in PackedInput<TOps, TV> input, ref float c, ref float h, int j, int k)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        TV i = TOps.Sigmoid(TOps.Add(si, input.At(j)));
        TV f = TOps.Sigmoid(TOps.Add(sf, input.At(k + j)));
        TV g = TOps.Tanh(TOps.Add(sg, input.At((2 * k) + j)));
        TV o = TOps.Sigmoid(TOps.Add(so, input.At((3 * k) + j)));
        TV cNew = TOps.MultiplyAdd(f, TOps.Load(ref Unsafe.Add(ref c, j)), TOps.Multiply(i, g));
        TOps.Store(cNew, ref Unsafe.Add(ref c, j));
        TOps.Store(TOps.Multiply(o, TOps.Tanh(cNew)), ref Unsafe.Add(ref h, j));
    }

    /// <summary>A gate block's input side, as <see cref="GateInput"/> forms it at any vector width.</summary>
    private readonly ref struct PackedInput<TOps, TV>
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        private readonly ref float _pre; // pre, or b_ih when the projection is formed here
        private readonly ref float _weightIh;
        private readonly ref float _bias;
        private readonly TV _x;
        private readonly bool _project;

        public PackedInput(bool project, float x, ref float weightIh, ref float pre, ref float bias)
        {
            _project = project;
            _x = TOps.Broadcast(x);
            _weightIh = ref weightIh;
            _pre = ref pre;
            _bias = ref bias;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV At(int at)
        {
            TV pre = _project
                ? TOps.MultiplyAdd(_x, TOps.Load(ref Unsafe.Add(ref _weightIh, at)), TOps.Load(ref Unsafe.Add(ref _pre, at)))
                : TOps.Load(ref Unsafe.Add(ref _pre, at));
            return TOps.Add(pre, TOps.Load(ref Unsafe.Add(ref _bias, at)));
        }
    }
}
