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
        => LstmStep512(new GateInput(ref pre, ref bias), ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, hidden, descending);

    /// <summary>
    /// <see cref="LstmStep512(ref float, ref float, ref float, ref float, ref float, ref float, ref float, ref float, int, bool)"/>
    /// for a layer with one input feature, its projection formed in registers: pre = x·w_ih + b_ih exactly as
    /// <see cref="RecurrentInput.Forward"/> forms it (the same multiply-add), so the bits are those of the two kernels in
    /// sequence, without storing pre and reading it back. A null <paramref name="gates"/>
    /// (<see cref="Unsafe.NullRef{T}"/>) skips storing the activated gates (a streaming step keeps nothing for BPTT).
    /// </summary>
    public static void LstmStep512(float x, ref float weightIh, ref float biasIh, ref float bias, ref float w, ref float hPrev,
        ref float cPrev, ref float gates, ref float c, ref float h, int hidden, bool descending)
        => LstmStep512(new GateInput(x, ref weightIh, ref biasIh, ref bias), ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, hidden, descending);

    private static void LstmStep512(in GateInput input, ref float w, ref float hPrev, ref float cPrev, ref float gates, ref float c,
        ref float h, int hidden, bool descending)
    {
        switch (hidden)
        {
            case 128: LstmStep128(input, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 16: LstmStepSmall<V1>(input, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 32: LstmStepSmall<V2>(input, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 48: LstmStepSmall<V3>(input, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            case 64: LstmStepSmall<V4>(input, ref w, ref hPrev, ref cPrev, ref gates, ref c, ref h, descending); break;
            default: throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "The fused LSTM step takes H = 16, 32, 48, 64 or 128.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LstmStep128(in GateInput input, ref float w, ref float hPrev, ref float cPrev, ref float gates, ref float c, ref float h, bool descending)
    {
        const int k = 128, rows = k * k;
        Vector512<float> x0 = Vector512.LoadUnsafe(ref hPrev), x1 = Vector512.LoadUnsafe(ref hPrev, 16);
        Vector512<float> x2 = Vector512.LoadUnsafe(ref hPrev, 32), x3 = Vector512.LoadUnsafe(ref hPrev, 48);
        Vector512<float> x4 = Vector512.LoadUnsafe(ref hPrev, 64), x5 = Vector512.LoadUnsafe(ref hPrev, 80);
        Vector512<float> x6 = Vector512.LoadUnsafe(ref hPrev, 96), x7 = Vector512.LoadUnsafe(ref hPrev, 112);
        // Software-pipelined: block j's cell update is issued after block j + 1's loads, so its σ/tanh work runs
        // while those loads are in flight (the prologue repeats the loop's four sums for the first block).
        int j = descending ? k - 16 : 0;
        ref float r = ref Unsafe.Add(ref w, j * k);
        Vector512<float> si = Sums128(ref r, x0, x1, x2, x3, x4, x5, x6, x7);
        Vector512<float> sf = Sums128(ref Unsafe.Add(ref r, rows), x0, x1, x2, x3, x4, x5, x6, x7);
        Vector512<float> sg = Sums128(ref Unsafe.Add(ref r, 2 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
        Vector512<float> so = Sums128(ref Unsafe.Add(ref r, 3 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
        for (int step = 16; step < k; step += 16)
        {
            int next = descending ? k - 16 - step : step;
            r = ref Unsafe.Add(ref w, next * k);
            Vector512<float> ni = Sums128(ref r, x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> nf = Sums128(ref Unsafe.Add(ref r, rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> ng = Sums128(ref Unsafe.Add(ref r, 2 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Vector512<float> no = Sums128(ref Unsafe.Add(ref r, 3 * rows), x0, x1, x2, x3, x4, x5, x6, x7);
            Cell(si, sf, sg, so, input, ref cPrev, ref gates, ref c, ref h, j, k);
            (si, sf, sg, so, j) = (ni, nf, ng, no, next);
        }
        Cell(si, sf, sg, so, input, ref cPrev, ref gates, ref c, ref h, j, k);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LstmStepSmall<TN>(in GateInput input, ref float w, ref float hPrev, ref float cPrev, ref float gates, ref float c, ref float h, bool descending)
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
            Cell(si, sf, sg, so, input, ref cPrev, ref gates, ref c, ref h, j, k);
        }
    }

    /// <summary>Units j … j + 15 from their four gate sums: the cell update of <c>Lstm.CellForward</c>, in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Cell(Vector512<float> si, Vector512<float> sf, Vector512<float> sg, Vector512<float> so,
        in GateInput input, ref float cPrev, ref float gates, ref float c, ref float h, int j, int k)
    {
        Vector512<float> i = Cell512.Sigmoid(si + input.At(j));
        Vector512<float> f = Cell512.Sigmoid(sf + input.At(k + j));
        Vector512<float> g = Cell512.Tanh(sg + input.At(2 * k + j));
        Vector512<float> o = Cell512.Sigmoid(so + input.At(3 * k + j));
        Vector512<float> cNew = Cell512.MultiplyAdd(f, Vector512.LoadUnsafe(ref Unsafe.Add(ref cPrev, j)), Cell512.Multiply(i, g));
        if (!Unsafe.IsNullRef(ref gates))
        {
            i.StoreUnsafe(ref Unsafe.Add(ref gates, j));
            f.StoreUnsafe(ref Unsafe.Add(ref gates, k + j));
            g.StoreUnsafe(ref Unsafe.Add(ref gates, 2 * k + j));
            o.StoreUnsafe(ref Unsafe.Add(ref gates, 3 * k + j));
        }
        cNew.StoreUnsafe(ref Unsafe.Add(ref c, j));
        Cell512.Multiply(o, Cell512.Tanh(cNew)).StoreUnsafe(ref Unsafe.Add(ref h, j));
    }

    /// <summary>
    /// The input side of a gate block: pre + bias as <see cref="Gates512"/> adds it, or, for one input feature, the
    /// projection x·w_ih + b_ih formed as <see cref="RecurrentInput.Forward"/> forms it, then + bias.
    /// </summary>
    private readonly ref struct GateInput
    {
        private readonly ref float _pre; // pre, or b_ih when the projection is formed here
        private readonly ref float _weightIh;
        private readonly ref float _bias;
        private readonly Vector512<float> _x;
        private readonly bool _project;

        public GateInput(ref float pre, ref float bias)
        {
            _pre = ref pre;
            _weightIh = ref Unsafe.NullRef<float>();
            _bias = ref bias;
        }

        public GateInput(float x, ref float weightIh, ref float biasIh, ref float bias)
        {
            _pre = ref biasIh;
            _weightIh = ref weightIh;
            _bias = ref bias;
            _x = Vector512.Create(x);
            _project = true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<float> At(int at)
        {
            Vector512<float> pre = _project
                ? Cell512.MultiplyAdd(_x, Vector512.LoadUnsafe(ref Unsafe.Add(ref _weightIh, at)), Vector512.LoadUnsafe(ref Unsafe.Add(ref _pre, at)))
                : Vector512.LoadUnsafe(ref Unsafe.Add(ref _pre, at));
            return pre + Vector512.LoadUnsafe(ref Unsafe.Add(ref _bias, at));
        }
    }
}
