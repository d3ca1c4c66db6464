using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

internal static partial class CellGemv
{
    /// <summary>
    /// One batch-1 LSTM step (plain cell) on W_hh packed by <c>Lstm.PackRecurrent</c>: for each block of 32 units,
    /// the 128 gate sums [i, f, g, o] × 32 units = Σ_j h_j·P[block, j, :], eight accumulators fed by one broadcast of
    /// h_j per 512-byte row (one sequential stream), then the cell update of <see cref="Cell"/> for the block's two
    /// vectors of units. h_{t−1} is copied before anything is written, so <paramref name="h"/> may be the state read.
    /// </summary>
    [SkipLocalsInit]
    public static unsafe void LstmStepPacked(float x, ref float weightIh, ref float biasIh, ref float pre, ref float bias, float* packed,
        ref float h, ref float c, int hidden, bool project)
    {
        GateInput input = project ? new GateInput(x, ref weightIh, ref biasIh, ref bias) : new GateInput(ref pre, ref bias);
        float* hPrev = stackalloc float[hidden];
        for (int j = 0; j < hidden; j += 16)
            Vector512.LoadUnsafe(ref h, (nuint)j).Store(hPrev + j);

        float* w = packed;
        for (int u = 0; u < hidden; u += 32)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int j = 0; j < hidden; j++, w += 128)
            {
                Vector512<float> hj = Vector512.Create(hPrev[j]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w), hj, a0); a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 16), hj, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 32), hj, a2); a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 48), hj, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 64), hj, a4); a5 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 80), hj, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 96), hj, a6); a7 = Vector512.FusedMultiplyAdd(Vector512.Load(w + 112), hj, a7);
            }

            // a0, a1: gate i of units u … u + 31; a2, a3: f; a4, a5: g; a6, a7: o.
            Cell(a0, a2, a4, a6, input, ref c, ref Unsafe.NullRef<float>(), ref c, ref h, u, hidden);
            Cell(a1, a3, a5, a7, input, ref c, ref Unsafe.NullRef<float>(), ref c, ref h, u + 16, hidden);
        }
    }
}
