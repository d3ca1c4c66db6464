using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// A dense layer's forward pass, y = g(x·Wᵀ + bias), in one call. At batch 1 the bias and a ReLU are applied to each
/// vector of outputs in registers as the GEMV writes it (no second pass over y); larger batches run the GEMM and
/// then the bias and activation over the block it just wrote, still in L1. The result is bit-for-bit that of
/// <see cref="Gemm.MultiplyTransposedB"/>, <see cref="Bias.AddRows"/> and the activation run one after another.
/// </summary>
public static partial class Linear
{
    /// <summary>y[rows × units] = g(x[rows × inputs]·Wᵀ + bias), W stored units × inputs (out × in).</summary>
    /// <param name="x">Inputs, [rows × inputs].</param>
    /// <param name="weights">Weights, [units × inputs].</param>
    /// <param name="bias">Bias, [units].</param>
    /// <param name="y">Receives the outputs, [rows × units].</param>
    /// <param name="rows">Rows (examples, or steps × examples).</param>
    /// <param name="units">Outputs per row.</param>
    /// <param name="inputs">Inputs per row.</param>
    /// <param name="activation">g: identity, ReLU, sigmoid, tanh or softmax (over each row).</param>
    /// <param name="descending">
    /// At one row, read W's blocks of rows last to first. A model alternates it from one pass to the next so that each
    /// pass starts on the rows the previous one read last, still in cache; the result is the same bits either way.
    /// </param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or <paramref name="activation"/> is unknown.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        int rows, int units, int inputs, Activation activation, bool descending = false)
    {
        // Not Enum.IsDefined: it reads a type cache that the GC may drop, and rebuilding it allocates mid-step.
        if ((uint)activation > (uint)Activation.Softmax) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(rows, inputs), nameof(x));
        KernelChecks.AtLeast(weights.Length, KernelChecks.Elements(units, inputs), nameof(weights));
        KernelChecks.AtLeast(bias.Length, units, nameof(bias));
        KernelChecks.AtLeast(y.Length, KernelChecks.Elements(rows, units), nameof(y));
        int width = rows == 1 ? GemvWidth() : 0;
        if (width != 0)
        {
            Gemv.MultiplyBias(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(bias),
                ref MemoryMarshal.GetReference(y), units, inputs, relu: activation == Activation.ReLU, width, descending);
            if (activation == Activation.ReLU) return;
        }
        else
        {
            Gemm.MultiplyTransposedB(x, weights, y, rows, units, inputs);
            Bias.AddRows(y, bias, rows, units);
            if (activation == Activation.ReLU) Activations.Relu(y.Slice(0, rows * units));
        }

        Span<float> outputs = y.Slice(0, rows * units);
        switch (activation)
        {
            case Activation.Sigmoid: Activations.Sigmoid(outputs); break;
            case Activation.Tanh: Activations.Tanh(outputs); break;
            case Activation.Softmax: Activations.SoftmaxRows(outputs, rows, units); break;
        }
    }

    /// <summary>The width <see cref="Gemm.MultiplyTransposedB"/> would use for one row, where that is the streaming GEMV; else 0.</summary>
    private static int GemvWidth()
    {
        if (Vector512.IsHardwareAccelerated) return Gemv.Supports(512) ? 512 : 0;
        if (Vector256.IsHardwareAccelerated) return Gemv.Supports(256) ? 256 : 0;
        return 0;
    }
}
