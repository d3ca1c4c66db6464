using System.Numerics;

namespace ModelGen.Kernels;

/// <summary>
/// Pieces shared by the recurrent kernels (<see cref="SimpleRnn"/>, <see cref="Lstm"/>, <see cref="Gru"/>):
/// step ordering, truncated-BPTT bookkeeping, recurrent-mask handling and the recurrent weight gradient.
/// Sequences are time-major [T × B × N]; "processing step" s runs over time index <see cref="Time"/>(s).
/// </summary>
internal static class Recurrence
{
    /// <summary>Time index of processing step <paramref name="s"/>: s, or T − 1 − s when reading backwards.</summary>
    public static int Time(int s, int steps, bool reverse) => reverse ? steps - 1 - s : s;

    /// <summary>Validates the common sizes; returns nothing, throws for negatives.</summary>
    public static void CheckSizes(int steps, int batch, int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(hidden);
    }

    /// <summary>An empty mask means none; otherwise it must hold batch·hidden values.</summary>
    public static void CheckMask(ReadOnlySpan<float> mask, int batchHidden)
    {
        if (!mask.IsEmpty) KernelChecks.AtLeast(mask.Length, batchHidden, "recurrentMask");
    }

    /// <summary>First processing step that is back-propagated: max(0, steps − backpropSteps).</summary>
    public static int FirstStep(int steps, int backpropSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(backpropSteps);
        return backpropSteps >= steps ? 0 : steps - backpropSteps;
    }

    /// <summary>Zeroes the dPre row blocks of the processing steps before <paramref name="first"/>.</summary>
    public static void ClearUntrained(Span<float> dPre, int steps, int first, bool reverse, int rowBlock)
    {
        if (first == 0) return;
        int start = reverse ? (steps - first) * rowBlock : 0;
        dPre.Slice(start, first * rowBlock).Clear();
    }

    /// <summary>
    /// The hidden state entering processing step <paramref name="s"/>: the initial state for s = 0, else the
    /// state stored at the previous step's time index.
    /// </summary>
    public static ReadOnlySpan<float> Previous(ReadOnlySpan<float> sequence, ReadOnlySpan<float> initial, int s, int steps, bool reverse, int block)
        => s == 0 ? initial.Slice(0, block) : sequence.Slice(Time(s - 1, steps, reverse) * block, block);

    /// <summary>target = (dA·W) ⊙ mask, or target += … when <paramref name="accumulate"/> is set.</summary>
    /// <param name="dA">Gradient w.r.t. the recurrent product's output, [batch × gates].</param>
    /// <param name="w">Recurrent weights, [gates × hidden].</param>
    /// <param name="mask">Empty, or the [batch × hidden] recurrent mask.</param>
    /// <param name="target">[batch × hidden].</param>
    /// <param name="scratch">[batch × hidden] scratch, used only with a mask.</param>
    /// <param name="batch">Rows B.</param>
    /// <param name="gates">Columns G of dA.</param>
    /// <param name="hidden">Columns H of the target.</param>
    /// <param name="accumulate">Add to the target instead of overwriting it.</param>
    public static void PropagateHidden(ReadOnlySpan<float> dA, ReadOnlySpan<float> w, ReadOnlySpan<float> mask, Span<float> target,
        Span<float> scratch, int batch, int gates, int hidden, bool accumulate)
    {
        int bh = batch * hidden;
        if (mask.IsEmpty)
        {
            if (!accumulate) target.Slice(0, bh).Clear();
            CellGemm.MultiplyAdd(dA, gates, 1, w, target, batch, hidden, gates);
            return;
        }
        Span<float> product = scratch.Slice(0, bh);
        product.Clear();
        CellGemm.MultiplyAdd(dA, gates, 1, w, product, batch, hidden, gates);
        Span<float> t = target.Slice(0, bh);
        ReadOnlySpan<float> m = mask.Slice(0, bh);
        if (accumulate) Elementwise.MultiplyAdd(product, m, t, t);
        else Elementwise.Multiply(product, m, t);
    }

    /// <summary>
    /// For the back-propagated window (processing steps first … steps − 1), where the recurrent product's
    /// output gradient equals dPre: dW[G×H] += Σ dA_tᵀ·(h_prev ⊙ mask) and dBias[G] += Σ rows of dA_t.
    /// Without a mask the window (minus the step that reads the initial state) is one GEMM, since dA and the
    /// previous hidden states are both contiguous in time.
    /// </summary>
    public static void AccumulateParameters(ReadOnlySpan<float> dA, ReadOnlySpan<float> hidden, ReadOnlySpan<float> initial,
        ReadOnlySpan<float> mask, Span<float> dW, Span<float> dBias, Span<float> scratch,
        int steps, int first, int batch, int gates, int hiddenSize, bool reverse)
    {
        int count = steps - first;
        if (count <= 0) return;
        int bh = batch * hiddenSize, bg = batch * gates;

        int lowTime = reverse ? 0 : first; // the window's time rows are contiguous
        Bias.AccumulateRowSums(dA.Slice(lowTime * bg, count * bg), dBias, count * batch, gates);

        if (!mask.IsEmpty)
        {
            Span<float> hm = scratch.Slice(0, bh);
            ReadOnlySpan<float> m = mask.Slice(0, bh);
            for (int s = first; s < steps; s++)
            {
                int t = Time(s, steps, reverse);
                Elementwise.Multiply(Previous(hidden, initial, s, steps, reverse, bh), m, hm);
                CellGemm.MultiplyAdd(dA.Slice(t * bg, bg), 1, gates, hm, dW, gates, hiddenSize, batch);
            }
            return;
        }

        int from = first;
        if (from == 0)
        {
            int t0 = Time(0, steps, reverse);
            CellGemm.MultiplyAdd(dA.Slice(t0 * bg, bg), 1, gates, initial.Slice(0, bh), dW, gates, hiddenSize, batch);
            from = 1;
        }
        int rest = steps - from;
        if (rest <= 0) return;
        // Forward: step t pairs with hidden row t − 1, t = from … T − 1. Reverse: t = 0 … T − 1 − from pairs with t + 1.
        ReadOnlySpan<float> a = reverse ? dA.Slice(0, rest * bg) : dA.Slice(from * bg, rest * bg);
        ReadOnlySpan<float> h = reverse ? hidden.Slice(bh, rest * bh) : hidden.Slice((from - 1) * bh, rest * bh);
        CellGemm.MultiplyAdd(a, 1, gates, h, dW, gates, hiddenSize, rest * batch);
    }

    /// <summary>c[i, j] += Σ_p h[i, p]·mask[i, p]·w[j, p]: the recurrent product of a masked state without scratch.</summary>
    public static void MaskedMultiplyTransposedB(ReadOnlySpan<float> h, ReadOnlySpan<float> mask, ReadOnlySpan<float> w, Span<float> c,
        int m, int n, int k)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> hRow = h.Slice(i * k, k), mRow = mask.Slice(i * k, k);
            Span<float> cRow = c.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<float> wRow = w.Slice(j * k, k);
                float sum = 0f;
                int p = 0;
                if (Vector.IsHardwareAccelerated && k >= Vector<float>.Count)
                {
                    Vector<float> acc = Vector<float>.Zero;
                    for (; p + Vector<float>.Count <= k; p += Vector<float>.Count)
                        acc += new Vector<float>(hRow.Slice(p)) * new Vector<float>(mRow.Slice(p)) * new Vector<float>(wRow.Slice(p));
                    sum = Vector.Sum(acc);
                }
                for (; p < k; p++) sum += hRow[p] * mRow[p] * wRow[p];
                cRow[j] += sum;
            }
        }
    }

    /// <summary>Copies <paramref name="bias"/> into every row of a [rows × bias.Length] block.</summary>
    public static void FillRows(Span<float> block, ReadOnlySpan<float> bias, int rows)
    {
        int n = bias.Length;
        for (int r = 0; r < rows; r++) bias.CopyTo(block.Slice(r * n, n));
    }
}
