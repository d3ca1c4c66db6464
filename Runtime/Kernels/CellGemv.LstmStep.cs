using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// One batch-1 LSTM step (no peepholes, not coupled) in a single pass over W_hh: for each block of 16 units the four
/// gates' sums come straight from the product (<see cref="Sums16"/>, <see cref="Sums128"/>) and are activated and
/// folded into c and h in registers, so the cell math runs while the next rows stream in from L2 instead of after
/// the whole product. Bit-for-bit <see cref="Gates512"/> followed by the cell update of <c>Lstm.Forward</c>: the
/// same sums, the same additions and the same <see cref="Cell512"/> activations in the same order.
/// </summary>
internal static partial class CellGemv
{
    /// <summary>
    /// gates = [σ(i), σ(f), tanh(g), σ(o)] from pre + bias + W·h_{t−1} (W row-major [4H × H], H accepted by
    /// <see cref="SupportsGates512"/>); c_t = f·c_{t−1} + i·g; h_t = o·tanh(c_t). h_{t−1} is read into registers
    /// before anything is written, so <paramref name="h"/> may be <paramref name="hPrev"/> and <paramref name="c"/>
    /// may be <paramref name="cPrev"/> (a carried state updated in place); nothing may overlap W, pre or bias.
    /// <paramref name="descending"/> takes the blocks of 16 units last to first (same bits): a caller that alternates
    /// it from one step to the next starts each step on the weights the previous one read last, still in L1
    /// (H = 128: a block's four gates are 32 KB; measured 1.5–2% faster per step on Zen 5).
    /// </summary>
    public static void LstmStep512(ref float pre, ref float bias, ref float w, ref float hPrev, ref float cPrev,
        ref float gates, ref float c, ref float h, int hidden, bool descending = false)
    {
        switch (hidden)
        {
            case 128: LstmStep128(ref pre, ref bias, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 16: LstmStepSmall<V1>(ref pre, ref bias, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 32: LstmStepSmall<V2>(ref pre, ref bias, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 48: LstmStepSmall<V3>(ref pre, ref bias, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 64: LstmStepSmall<V4>(ref pre, ref bias, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            default: throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "The fused LSTM step takes H = 16, 32, 48, 64 or 128.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LstmStep128(ref float pre, ref float bias, ref float w, ref float hPrev, ref float cPrev, ref float gates, ref float c, ref float h, bool descending)
    {
        const int k = 128, rows = k * k;
        Vector512<float> x0 = Vector512.LoadUnsafe(ref hPrev), x1 = Vector512.LoadUnsafe(ref hPrev, 16);
        Vector512<float> x2 = Vector512.LoadUnsafe(ref hPrev, 32), x3 = Vector512.LoadUnsafe(ref hPrev, 48);
        Vector512<float> x4 = Vector512.LoadUnsafe(ref hPrev, 64), x5 = Vector512.LoadUnsafe(ref hPrev, 80);
        Vector512<float> x6 = Vector512.LoadUnsafe(ref hPrev, 96), x7 = Vector512.LoadUnsafe(ref hPrev, 112);
        for (int step = 0; step < k; step += 16)
        {
            int j = descending ? k - 16 - step : step;
            ref float r = ref Unsafe.Add(ref w, j * k);
            Vector512<float> si = Sums128(ref r, x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> sf = Sums128(ref Unsafe.Add(ref r, rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> sg = Sums128(ref Unsafe.Add(ref r, 2 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> so = Sums128(ref Unsafe.Add(ref r, 3 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Cell(si, sf, sg, so, ref pre, ref bias, ref cPrev, ref gates, ref c, ref h, j, k);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LstmStepSmall<TN>(ref float pre, ref float bias, ref float w, ref float hPrev, ref float cPrev, ref float gates, ref float c, ref float h, bool descending)
        where TN : struct, IVectors
    {
        int nv = TN.N, k = 16 * nv, rows = k * k;
        Vector512<float> x0 = Vector512.LoadUnsafe(ref hPrev);
        Vector512<float> x1 = nv > 1 ? Vector512.LoadUnsafe(ref hPrev, 16) : default;
        Vector512<float> x2 = nv > 2 ? Vector512.LoadUnsafe(ref hPrev, 32) : default;
        Vector512<float> x3 = nv > 3 ? Vector512.LoadUnsafe(ref hPrev, 48) : default;
        for (int step = 0; step < k; step += 16)
        {
            int j = descending ? k - 16 - step : step;
            ref float r = ref Unsafe.Add(ref w, j * k);
            Vector512<float> si = Sums16(ref r, x0, x1, x2, x3, nv);
            Vector512<float> sf = Sums16(ref Unsafe.Add(ref r, rows), x0, x1, x2, x3, nv);
            Vector512<float> sg = Sums16(ref Unsafe.Add(ref r, 2 * rows), x0, x1, x2, x3, nv);
            Vector512<float> so = Sums16(ref Unsafe.Add(ref r, 3 * rows), x0, x1, x2, x3, nv);
            Cell(si, sf, sg, so, ref pre, ref bias, ref cPrev, ref gates, ref c, ref h, j, k);
        }
    }

    /// <summary>Units j … j + 15 from their four gate sums: the cell update of <c>Lstm.CellForward</c>, in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Cell(Vector512<float> si, Vector512<float> sf, Vector512<float> sg, Vector512<float> so,
        ref float pre, ref float bias, ref float cPrev, ref float gates, ref float c, ref float h, int j, int k)
    {
        Vector512<float> i = Cell512.Sigmoid(si + Gate(ref pre, ref bias, j));
        Vector512<float> f = Cell512.Sigmoid(sf + Gate(ref pre, ref bias, k + j));
        Vector512<float> g = Cell512.Tanh(sg + Gate(ref pre, ref bias, 2 * k + j));
        Vector512<float> o = Cell512.Sigmoid(so + Gate(ref pre, ref bias, 3 * k + j));
        Vector512<float> cNew = Cell512.MultiplyAdd(f, Vector512.LoadUnsafe(ref Unsafe.Add(ref cPrev, j)), Cell512.Multiply(i, g));
        i.StoreUnsafe(ref Unsafe.Add(ref gates, j));
        f.StoreUnsafe(ref Unsafe.Add(ref gates, k + j));
        g.StoreUnsafe(ref Unsafe.Add(ref gates, 2 * k + j));
        o.StoreUnsafe(ref Unsafe.Add(ref gates, 3 * k + j));
        cNew.StoreUnsafe(ref Unsafe.Add(ref c, j));
        Cell512.Multiply(o, Cell512.Tanh(cNew)).StoreUnsafe(ref Unsafe.Add(ref h, j));
    }

    /// <summary>pre + bias at one gate block, added as <see cref="Gates512"/> adds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Gate(ref float pre, ref float bias, int at)
        => Vector512.LoadUnsafe(ref Unsafe.Add(ref pre, at)) + Vector512.LoadUnsafe(ref Unsafe.Add(ref bias, at));
}
