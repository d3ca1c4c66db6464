using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// The input side of a recurrent layer, over all steps at once: pre = x·W_ihᵀ + bias_ih and its gradients. Recurrent
/// inputs are often narrow (one feature of a time series, a one-hot character), where a row-dot-product GEMM
/// spends its time on horizontal sums; these run the broadcast GEMM on Wᵀ (a copy in per-thread scratch) instead,
/// or a plain scaled add for a single input feature, or a gather for one-hot rows (RecurrentInput.OneHot.cs).
/// </summary>
public static partial class RecurrentInput
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
            SingleInputForward(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(weightIh),
                ref MemoryMarshal.GetReference(bias), ref MemoryMarshal.GetReference(pre), rows, gates);
            return;
        }
        ReadOnlySpan<float> w2 = weightIh.Slice(0, gates * inputs);
        if (inputs == 0 || rows < CellKernels.TransposeRows)
        {
            Recurrence.FillRows(pre, bias, rows);
            if (inputs > 0) CellGemv.MultiplyTransposedBAccumulate(x, w2, pre, rows, gates, inputs);
            return;
        }
        Span<float> wt = CellKernels.Scratch(gates * inputs);
        if (IsOneHot(x, rows, inputs))
        {
            CellKernels.Transpose(w2, wt, gates, inputs);
            OneHotForward(x, wt, bias, pre, rows, gates, inputs);
            return;
        }
        CellGemm.PackTransposed(w2, wt, gates, inputs);
        // The bias is the product's starting value: pre is written once (W5: 1.5 MB, beyond L2 with the rest).
        CellGemm.MultiplyPackedBias(x, inputs, 1, wt, bias, pre, rows, gates, inputs);
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
        if (inputs == 1)
        {
            // One input (a univariate series): both gradients in one pass over dPre, which is often larger than L2.
            ref float rd = ref MemoryMarshal.GetReference(dPre), rx = ref MemoryMarshal.GetReference(x);
            ref float rw = ref MemoryMarshal.GetReference(dWeightIh), rb = ref MemoryMarshal.GetReference(dBiasIh);
            if (Vector512.IsHardwareAccelerated) SingleInputBackward<Ops512, Vector512<float>>(ref rd, ref rx, ref rw, ref rb, rows, gates);
            else if (Vector256.IsHardwareAccelerated) SingleInputBackward<Ops256, Vector256<float>>(ref rd, ref rx, ref rw, ref rb, rows, gates);
            else SingleInputBackward<OpsScalar, float>(ref rd, ref rx, ref rw, ref rb, rows, gates);
            return;
        }
        if (rows == 0 || weights == 0)
        {
            Bias.AccumulateRowSums(dPre, dBiasIh, rows, gates);
            return;
        }
        // dW_ihᵀ[inputs × gates] = xᵀ·dPre: gates (long) is the vectorized dimension.
        Span<float> scratch = CellKernels.Scratch(2 * weights);
        Span<float> product = scratch.Slice(0, weights), transposed = scratch.Slice(weights, weights);
        product.Clear();
        if (IsOneHot(x, rows, inputs))
        {
            OneHotGradients(dPre, x, product, dBiasIh, rows, gates, inputs);
        }
        else
        {
            Bias.AccumulateRowSums(dPre, dBiasIh, rows, gates);
            CellGemm.MultiplyAdd(x, 1, inputs, dPre, product, inputs, gates, rows);
        }
        CellKernels.Transpose(product, transposed, inputs, gates);
        Elementwise.Add(dWeightIh.Slice(0, weights), transposed, dWeightIh.Slice(0, weights));
    }

    /// <summary>
    /// dBias[j] += Σ_r dPre[r, j] and dW[j] += Σ_r x[r]·dPre[r, j], rows in order (the bias sums are those of
    /// <see cref="Bias.AccumulateRowSums"/>, bit for bit), four vectors of columns at a time in registers.
    /// </summary>
    private static void SingleInputBackward<TOps, TV>(ref float dPre, ref float x, ref float dW, ref float dB, int rows, int gates)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count, c = 0;
        for (; c + 4 * w <= gates; c += 4 * w)
        {
            TV b0 = TOps.Load(ref Unsafe.Add(ref dB, c)), b1 = TOps.Load(ref Unsafe.Add(ref dB, c + w));
            TV b2 = TOps.Load(ref Unsafe.Add(ref dB, c + 2 * w)), b3 = TOps.Load(ref Unsafe.Add(ref dB, c + 3 * w));
            TV w0 = TOps.Load(ref Unsafe.Add(ref dW, c)), w1 = TOps.Load(ref Unsafe.Add(ref dW, c + w));
            TV w2 = TOps.Load(ref Unsafe.Add(ref dW, c + 2 * w)), w3 = TOps.Load(ref Unsafe.Add(ref dW, c + 3 * w));
            ref float row = ref Unsafe.Add(ref dPre, c);
            for (int r = 0; r < rows; r++, row = ref Unsafe.Add(ref row, gates))
            {
                TV xr = TOps.Broadcast(Unsafe.Add(ref x, r));
                TV v0 = TOps.Load(ref row), v1 = TOps.Load(ref Unsafe.Add(ref row, w));
                TV v2 = TOps.Load(ref Unsafe.Add(ref row, 2 * w)), v3 = TOps.Load(ref Unsafe.Add(ref row, 3 * w));
                b0 = TOps.Add(b0, v0); w0 = TOps.MultiplyAdd(xr, v0, w0);
                b1 = TOps.Add(b1, v1); w1 = TOps.MultiplyAdd(xr, v1, w1);
                b2 = TOps.Add(b2, v2); w2 = TOps.MultiplyAdd(xr, v2, w2);
                b3 = TOps.Add(b3, v3); w3 = TOps.MultiplyAdd(xr, v3, w3);
            }
            TOps.Store(b0, ref Unsafe.Add(ref dB, c)); TOps.Store(b1, ref Unsafe.Add(ref dB, c + w));
            TOps.Store(b2, ref Unsafe.Add(ref dB, c + 2 * w)); TOps.Store(b3, ref Unsafe.Add(ref dB, c + 3 * w));
            TOps.Store(w0, ref Unsafe.Add(ref dW, c)); TOps.Store(w1, ref Unsafe.Add(ref dW, c + w));
            TOps.Store(w2, ref Unsafe.Add(ref dW, c + 2 * w)); TOps.Store(w3, ref Unsafe.Add(ref dW, c + 3 * w));
        }
        for (; c + w <= gates; c += w)
        {
            TV b0 = TOps.Load(ref Unsafe.Add(ref dB, c)), w0 = TOps.Load(ref Unsafe.Add(ref dW, c));
            for (int r = 0; r < rows; r++)
            {
                TV v0 = TOps.Load(ref Unsafe.Add(ref dPre, r * gates + c));
                b0 = TOps.Add(b0, v0);
                w0 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref x, r)), v0, w0);
            }
            TOps.Store(b0, ref Unsafe.Add(ref dB, c));
            TOps.Store(w0, ref Unsafe.Add(ref dW, c));
        }
        for (; c < gates; c++)
        {
            float b = Unsafe.Add(ref dB, c), g = Unsafe.Add(ref dW, c);
            for (int r = 0; r < rows; r++)
            {
                float v = Unsafe.Add(ref dPre, r * gates + c);
                b += v;
                g = OpsScalar.MultiplyAdd(Unsafe.Add(ref x, r), v, g);
            }
            Unsafe.Add(ref dB, c) = b;
            Unsafe.Add(ref dW, c) = g;
        }
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

    /// <summary>
    /// pre[r, :] = x[r]·w + bias for every row. Kept out of line: inlined into a generated model's long forward
    /// method, the loop's counter and pointers lived on the stack (2.7× slower over W4's 1600 rows, measured).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void SingleInputForward(ref float x, ref float w, ref float bias, ref float pre, int rows, int gates)
    {
        int width = CellPath.Width;
        fixed (float* px = &x, pw = &w, pb = &bias, pp = &pre)
        {
            float* y = pp;
            for (int r = 0; r < rows; r++, y += gates)
            {
                float s = px[r];
                int j = 0;
                if (width == 512)
                {
                    var sv = Vector512.Create(s);
                    for (; j + 16 <= gates; j += 16)
                        Vector512.MultiplyAddEstimate(sv, Vector512.Load(pw + j), Vector512.Load(pb + j)).Store(y + j);
                }
                else if (width == 256)
                {
                    var sv = Vector256.Create(s);
                    for (; j + 8 <= gates; j += 8)
                        Vector256.MultiplyAddEstimate(sv, Vector256.Load(pw + j), Vector256.Load(pb + j)).Store(y + j);
                }
                for (; j < gates; j++)
                    y[j] = s * pw[j] + pb[j];
            }
        }
    }
}
