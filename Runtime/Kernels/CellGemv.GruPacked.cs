using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

internal static partial class CellGemv
{
    /// <summary>
    /// One batch-1 GRU step (reset after the product, PyTorch's cell) on W_hh packed by <c>Gru.PackRecurrent</c> for
    /// this vector width: for each block of 2·Count units, the sums [r, z, n] × units = Σ_j h_j·P[block, j, :], six
    /// accumulators fed by one broadcast of h_j per row (one sequential stream), then the cell update of
    /// <c>Gru.CellResetAfter</c> for the block's two vectors of units. h_{t−1} is copied before anything is written,
    /// so <paramref name="h"/> is read and updated in place. With one input feature (<paramref name="project"/>) the
    /// projection x·w_ih + b_ih is formed in registers and <paramref name="pre"/> is not read. <paramref name="units"/>
    /// (a multiple of 2·Count) is the gates' stride and the state's length, <paramref name="rows"/> ≤ units the h_j that
    /// feed them (H; the units past it are padding).
    /// </summary>
    [SkipLocalsInit]
    public static unsafe void GruStepPacked<TOps, TV>(float x, ref float weightIh, ref float biasIh, ref float pre, ref float bias, float* packed,
        ref float h, int units, int rows, bool project)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int n = TOps.Count;
        float* hPrev = stackalloc float[units];
        for (int j = 0; j < units; j += n)
            TOps.Store(TOps.Load(ref Unsafe.Add(ref h, j)), ref *(hPrev + j));

        var input = new GruInput<TOps, TV>(project, x, ref weightIh, ref project ? ref biasIh : ref pre);
        TV zero = TOps.Broadcast(0f);
        float* w = packed;
        for (int u = 0; u < units; u += 2 * n)
        {
            TV a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero;
            for (int j = 0; j < rows; j++, w += 6 * n)
            {
                TV hj = TOps.Broadcast(hPrev[j]);
                a0 = TOps.MultiplyAdd(TOps.Load(ref *w), hj, a0); a1 = TOps.MultiplyAdd(TOps.Load(ref *(w + n)), hj, a1);
                a2 = TOps.MultiplyAdd(TOps.Load(ref *(w + (2 * n))), hj, a2); a3 = TOps.MultiplyAdd(TOps.Load(ref *(w + (3 * n))), hj, a3);
                a4 = TOps.MultiplyAdd(TOps.Load(ref *(w + (4 * n))), hj, a4); a5 = TOps.MultiplyAdd(TOps.Load(ref *(w + (5 * n))), hj, a5);
            }

            // a0, a1: gate r of the block's units; a2, a3: z; a4, a5: n.
            GruCell(a0, a2, a4, input, ref bias, ref *hPrev, ref h, u, units);
            GruCell(a1, a3, a5, input, ref bias, ref *hPrev, ref h, u + n, units);
        }
    }

    /// <summary>
    /// Units j … j + Count − 1 from their three recurrent sums: hh = sums + b_hh, r = σ(pre_r + hh_r),
    /// z = σ(pre_z + hh_z), n = tanh(pre_n + r ⊙ hh_n), h = n + z ⊙ (h_prev − n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruCell<TOps, TV>(TV sr, TV sz, TV sn, in GruInput<TOps, TV> input, ref float bias, ref float hPrev, ref float h, int j, int k)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        TV r = TOps.Sigmoid(TOps.Add(input.At(j), TOps.Add(sr, TOps.Load(ref Unsafe.Add(ref bias, j)))));
        TV z = TOps.Sigmoid(TOps.Add(input.At(k + j), TOps.Add(sz, TOps.Load(ref Unsafe.Add(ref bias, k + j)))));
        TV hhn = TOps.Add(sn, TOps.Load(ref Unsafe.Add(ref bias, (2 * k) + j)));
        TV n = TOps.Tanh(TOps.MultiplyAdd(r, hhn, input.At((2 * k) + j)));
        TOps.Store(TOps.MultiplyAdd(z, TOps.Subtract(TOps.Load(ref Unsafe.Add(ref hPrev, j)), n), n), ref Unsafe.Add(ref h, j));
    }

    /// <summary>A GRU gate block's input projection: pre, or x·w_ih + b_ih formed as <c>RecurrentInput.Forward</c> forms it.</summary>
    private readonly ref struct GruInput<TOps, TV>
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        private readonly ref float _pre; // pre, or b_ih when the projection is formed here
        private readonly ref float _weightIh;
        private readonly TV _x;
        private readonly bool _project;

        public GruInput(bool project, float x, ref float weightIh, ref float pre)
        {
            _project = project;
            _x = TOps.Broadcast(x);
            _weightIh = ref weightIh;
            _pre = ref pre;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV At(int at) => _project
            ? TOps.MultiplyAdd(_x, TOps.Load(ref Unsafe.Add(ref _weightIh, at)), TOps.Load(ref Unsafe.Add(ref _pre, at)))
            : TOps.Load(ref Unsafe.Add(ref _pre, at));
    }
}
