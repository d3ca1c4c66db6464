using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Activation functions, in place, and their backward passes. The backward passes take the forward
/// OUTPUT y (what a layer keeps anyway) and multiply the incoming gradient by g′ expressed through y.
/// </summary>
public static class Activations
{
    /// <summary>x ← max(x, 0), in place.</summary>
    /// <param name="x">Values to transform.</param>
    public static void Relu(Span<float> x) => TensorPrimitives.Max(x, 0f, x);

    /// <summary>x ← 1 / (1 + e^−x), in place.</summary>
    /// <param name="x">Values to transform.</param>
    public static void Sigmoid(Span<float> x) => Elementwise.Sigmoid(x, x);

    /// <summary>x ← tanh(x), in place.</summary>
    /// <param name="x">Values to transform.</param>
    public static void Tanh(Span<float> x) => Elementwise.Tanh(x, x);

    /// <summary>
    /// Softmax of each row of a row-major rows×cols matrix, in place. The row maximum is subtracted first,
    /// so large logits do not overflow <c>exp</c>.
    /// </summary>
    /// <param name="x">Matrix; only the first rows·cols elements are used.</param>
    /// <param name="rows">Number of rows (examples).</param>
    /// <param name="cols">Number of columns (classes).</param>
    /// <exception cref="ArgumentException"><paramref name="x"/> is shorter than rows·cols.</exception>
    public static void SoftmaxRows(Span<float> x, int rows, int cols)
    {
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(rows, cols), nameof(x));
        if (cols == 0) return;
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = x.Slice(r * cols, cols);
            // TensorPrimitives.SoftMax does not subtract the maximum, hence the explicit steps.
            float max = TensorPrimitives.Max(row);
            Elementwise.Subtract(row, max, row);
            Elementwise.Exp(row, row);
            Elementwise.Multiply(row, 1f / TensorPrimitives.Sum(row), row);
        }
    }

    /// <summary>dy ← dy · (y &gt; 0 ? 1 : 0), where y is the ReLU output.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Gradient w.r.t. the output, replaced by the gradient w.r.t. the input; same length as y.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void ReluBackward(ReadOnlySpan<float> y, Span<float> dy) => Apply<ReluGradient>(y, dy);

    /// <summary>dy ← dy · y(1 − y), where y is the sigmoid output.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Gradient w.r.t. the output, replaced by the gradient w.r.t. the input; same length as y.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> y, Span<float> dy) => Apply<SigmoidGradient>(y, dy);

    /// <summary>dy ← dy · (1 − y²), where y is the tanh output.</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Gradient w.r.t. the output, replaced by the gradient w.r.t. the input; same length as y.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void TanhBackward(ReadOnlySpan<float> y, Span<float> dy) => Apply<TanhGradient>(y, dy);

    // One fused pass per backward op; composing TensorPrimitives calls would need a scratch buffer.
    private interface IGradientOp
    {
        static abstract float Invoke(float y, float dy);
        static abstract Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy);
        static abstract Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy);
        static abstract Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy);
    }

    private static void Apply<TOp>(ReadOnlySpan<float> y, Span<float> dy) where TOp : IGradientOp
    {
        KernelChecks.SameLength(dy.Length, y.Length, nameof(dy));
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref float rd = ref MemoryMarshal.GetReference(dy);
        int length = y.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= length; i += Vector512<float>.Count)
                TOp.Invoke(Vector512.LoadUnsafe(ref ry, (nuint)i), Vector512.LoadUnsafe(ref rd, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= length; i += Vector256<float>.Count)
                TOp.Invoke(Vector256.LoadUnsafe(ref ry, (nuint)i), Vector256.LoadUnsafe(ref rd, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<float>.Count <= length; i += Vector128<float>.Count)
                TOp.Invoke(Vector128.LoadUnsafe(ref ry, (nuint)i), Vector128.LoadUnsafe(ref rd, (nuint)i)).StoreUnsafe(ref rd, (nuint)i);
        }
        for (; i < length; i++)
            Unsafe.Add(ref rd, i) = TOp.Invoke(Unsafe.Add(ref ry, i), Unsafe.Add(ref rd, i));
    }

    private readonly struct ReluGradient : IGradientOp
    {
        public static float Invoke(float y, float dy) => y > 0f ? dy : 0f;
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => Vector128.GreaterThan(y, Vector128<float>.Zero) & dy;
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => Vector256.GreaterThan(y, Vector256<float>.Zero) & dy;
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => Vector512.GreaterThan(y, Vector512<float>.Zero) & dy;
    }

    private readonly struct SigmoidGradient : IGradientOp
    {
        public static float Invoke(float y, float dy) => dy * y * (1f - y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * y * (Vector128<float>.One - y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
    }

    private readonly struct TanhGradient : IGradientOp
    {
        public static float Invoke(float y, float dy) => dy * (1f - y * y);
        public static Vector128<float> Invoke(Vector128<float> y, Vector128<float> dy) => dy * (Vector128<float>.One - y * y);
        public static Vector256<float> Invoke(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
        public static Vector512<float> Invoke(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
    }
}
