using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// The input side of a recurrent layer, over all steps at once: pre = x·W_ihᵀ + bias_ih and its gradients. Recurrent
/// inputs are often narrow (one feature of a time series, a one-hot character), where a row-dot-product GEMM
/// spends its time on horizontal sums; these run the broadcast GEMM on Wᵀ (a copy in per-thread scratch) instead,
/// or a plain scaled add for a single input feature.
/// </summary>
public static class RecurrentInput
{
    /// <summary>pre[rows × gates] = x[rows × inputs]·W_ihᵀ + bias_ih.</summary>
    /// <param name="x">Inputs, [rows × inputs].</param>
    /// <param name="weightIh">Input weights, [gates × inputs].</param>
    /// <param name="biasIh">Input bias, [gates].</param>
    /// <param name="pre">Receives the projections, [rows × gates].</param>
    /// <param name="rows">Rows (steps × batch).</param>
    /// <param name="gates">Gate pre-activations per row.</param>
    /// <param name="inputs">Input features per row.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weightIh, ReadOnlySpan<float> biasIh, Span<float> pre,
        int rows, int gates, int inputs)
    {
        int total = KernelChecks.Elements(rows, gates);
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(rows, inputs), nameof(x));
        KernelChecks.AtLeast(weightIh.Length, KernelChecks.Elements(gates, inputs), nameof(weightIh));
        KernelChecks.AtLeast(biasIh.Length, gates, nameof(biasIh));
        KernelChecks.AtLeast(pre.Length, total, nameof(pre));
        if (total == 0) return;
        ReadOnlySpan<float> bias = biasIh.Slice(0, gates);
        if (inputs == 1)
        {
            // W_ih is one column: pre[r, :] = x[r]·w + bias.
            ref float w = ref MemoryMarshal.GetReference(weightIh);
            ref float b = ref MemoryMarshal.GetReference(bias);
            ref float p = ref MemoryMarshal.GetReference(pre);
            for (int r = 0; r < rows; r++)
                ScaleAdd(x[r], ref w, ref b, ref Unsafe.Add(ref p, r * gates), gates);
            return;
        }
        Recurrence.FillRows(pre, bias, rows);
        if (inputs == 0) return;
        ReadOnlySpan<float> w2 = weightIh.Slice(0, gates * inputs);
        if (rows < CellKernels.TransposeRows)
        {
            CellGemv.MultiplyTransposedBAccumulate(x, w2, pre, rows, gates, inputs);
            return;
        }
        Span<float> wt = CellKernels.Scratch(gates * inputs);
        CellKernels.Transpose(w2, wt, gates, inputs);
        CellGemm.MultiplyAdd(x, inputs, 1, wt, pre, rows, gates, inputs);
    }

    /// <summary>dW_ih[gates × inputs] += dPreᵀ·x and dBias_ih[gates] += the column sums of dPre.</summary>
    /// <param name="dPre">Gradient w.r.t. pre, [rows × gates].</param>
    /// <param name="x">The forward inputs, [rows × inputs].</param>
    /// <param name="dWeightIh">Accumulates, [gates × inputs].</param>
    /// <param name="dBiasIh">Accumulates, [gates].</param>
    /// <param name="rows">Rows (steps × batch).</param>
    /// <param name="gates">Gate pre-activations per row.</param>
    /// <param name="inputs">Input features per row.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Backward(ReadOnlySpan<float> dPre, ReadOnlySpan<float> x, Span<float> dWeightIh, Span<float> dBiasIh,
        int rows, int gates, int inputs)
    {
        int weights = KernelChecks.Elements(gates, inputs);
        KernelChecks.AtLeast(dPre.Length, KernelChecks.Elements(rows, gates), nameof(dPre));
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(rows, inputs), nameof(x));
        KernelChecks.AtLeast(dWeightIh.Length, weights, nameof(dWeightIh));
        KernelChecks.AtLeast(dBiasIh.Length, gates, nameof(dBiasIh));
        Bias.AccumulateRowSums(dPre, dBiasIh, rows, gates);
        if (rows == 0 || weights == 0) return;
        // dW_ihᵀ[inputs × gates] = xᵀ·dPre: gates (long) is the vectorized dimension. With one input it is dW_ih itself.
        if (inputs == 1)
        {
            CellGemm.MultiplyAdd(x, 0, 1, dPre, dWeightIh, 1, gates, rows);
            return;
        }
        Span<float> product = CellKernels.Scratch(weights);
        product.Clear();
        CellGemm.MultiplyAdd(x, 1, inputs, dPre, product, inputs, gates, rows);
        for (int i = 0; i < inputs; i++)
            for (int j = 0; j < gates; j++)
                dWeightIh[j * inputs + i] += product[i * gates + j];
    }

    /// <summary>dX[rows × inputs] = dPre·W_ih, or dX += dPre·W_ih when <paramref name="accumulate"/> is set.</summary>
    /// <param name="dPre">Gradient w.r.t. pre, [rows × gates].</param>
    /// <param name="weightIh">Input weights, [gates × inputs].</param>
    /// <param name="dX">Receives the input gradient, [rows × inputs].</param>
    /// <param name="rows">Rows (steps × batch).</param>
    /// <param name="gates">Gate pre-activations per row.</param>
    /// <param name="inputs">Input features per row.</param>
    /// <param name="accumulate">Add to dX instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void InputGradient(ReadOnlySpan<float> dPre, ReadOnlySpan<float> weightIh, Span<float> dX, int rows, int gates, int inputs,
        bool accumulate = false)
    {
        KernelChecks.AtLeast(dPre.Length, KernelChecks.Elements(rows, gates), nameof(dPre));
        KernelChecks.AtLeast(weightIh.Length, KernelChecks.Elements(gates, inputs), nameof(weightIh));
        int total = KernelChecks.Elements(rows, inputs);
        KernelChecks.AtLeast(dX.Length, total, nameof(dX));
        if (inputs < 16)
        {
            // Narrow outputs: a dot product along gates per element beats a column-tiled GEMM.
            Gemm.MultiplyTransposedB(dPre, TransposedWeights(weightIh, gates, inputs), dX, rows, inputs, gates, accumulate);
            return;
        }
        if (!accumulate) dX.Slice(0, total).Clear();
        CellGemm.MultiplyAdd(dPre, gates, 1, weightIh, dX, rows, inputs, gates);
    }

    private static ReadOnlySpan<float> TransposedWeights(ReadOnlySpan<float> weightIh, int gates, int inputs)
    {
        if (inputs == 1) return weightIh.Slice(0, gates);
        Span<float> wt = CellKernels.Scratch(gates * inputs);
        CellKernels.Transpose(weightIh.Slice(0, gates * inputs), wt, gates, inputs);
        return wt;
    }

    private static void ScaleAdd(float s, ref float w, ref float b, ref float y, int n)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated && CellPath.Width == 512)
        {
            var sv = Vector512.Create(s);
            for (; j + 16 <= n; j += 16)
                Vector512.MultiplyAddEstimate(sv, Vector512.LoadUnsafe(ref w, (nuint)j),
                    Vector512.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }
        else if (Vector256.IsHardwareAccelerated && CellPath.Width >= 256)
        {
            var sv = Vector256.Create(s);
            for (; j + 8 <= n; j += 8)
                Vector256.MultiplyAddEstimate(sv, Vector256.LoadUnsafe(ref w, (nuint)j),
                    Vector256.LoadUnsafe(ref b, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }
        for (; j < n; j++)
            Unsafe.Add(ref y, j) = s * Unsafe.Add(ref w, j) + Unsafe.Add(ref b, j);
    }
}
