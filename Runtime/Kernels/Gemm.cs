using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Single-precision matrix multiplication on row-major dense storage, in the three shapes a dense layer
/// needs (forward, input gradient, weight gradient). Allocation-free; SIMD (AVX-512, AVX2, 128-bit or
/// scalar, whichever the machine accelerates) with register blocking.
/// </summary>
public static partial class Gemm
{
    /// <summary>C[m×n] = A[m×k]·B[k×n], or C += A·B when <paramref name="accumulate"/> is set.</summary>
    /// <param name="a">A, row-major m×k; only the first m·k elements are read.</param>
    /// <param name="b">B, row-major k×n; only the first k·n elements are read.</param>
    /// <param name="c">C, row-major m×n; only the first m·n elements are written.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, "m×k", "k×n");
        // A[i, p] lives at a[i·k + p].
        Broadcasting(ref MemoryMarshal.GetReference(a), k, 1, ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c), m, n, k, accumulate);
    }

    /// <summary>
    /// C[m×n] = A[k×m]ᵀ·B[k×n], or C += Aᵀ·B when <paramref name="accumulate"/> is set
    /// (the weight gradient dW += dZᵀ·X of a dense layer).
    /// </summary>
    /// <param name="a">A, row-major k×m; only the first k·m elements are read.</param>
    /// <param name="b">B, row-major k×n; only the first k·n elements are read.</param>
    /// <param name="c">C, row-major m×n; only the first m·n elements are written.</param>
    /// <param name="m">Columns of A, rows of C.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="k">Rows of A and B (the summed dimension).</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static void MultiplyTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, "k×m", "k×n");
        // Aᵀ[i, p] = A[p, i] lives at a[p·m + i]: same kernel, strides swapped.
        Broadcasting(ref MemoryMarshal.GetReference(a), 1, m, ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c), m, n, k, accumulate);
    }

    /// <summary>
    /// C[m×n] = A[m×k]·B[n×k]ᵀ, or C += A·Bᵀ when <paramref name="accumulate"/> is set
    /// (the dense forward pass Y = X·Wᵀ with W stored out×in).
    /// </summary>
    /// <param name="a">A, row-major m×k; only the first m·k elements are read.</param>
    /// <param name="b">B, row-major n×k; only the first n·k elements are read.</param>
    /// <param name="c">C, row-major m×n; only the first m·n elements are written.</param>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Rows of B, columns of C.</param>
    /// <param name="k">Columns of A and B (the summed dimension).</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    public static void MultiplyTransposedB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, "m×k", "n×k");
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        if (Vector512.IsHardwareAccelerated) RowDots<Ops512, Vector512<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else if (Vector256.IsHardwareAccelerated) RowDots<Ops256, Vector256<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else if (Vector128.IsHardwareAccelerated) RowDots<Ops128, Vector128<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else RowDots<OpsScalar, float>(ref ra, ref rb, ref rc, m, n, k, accumulate);
    }

    /// <summary><see cref="MultiplyTransposedB"/> with vectors of exactly <paramref name="width"/> floats (16, 8, 4 or 1),
    /// so tests reach every path; the caller checks the hardware.</summary>
    internal static void MultiplyTransposedBWidth(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, int width)
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, "m×k", "n×k");
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        if (width == 16) RowDots<Ops512, Vector512<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else if (width == 8) RowDots<Ops256, Vector256<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else if (Vector128.IsHardwareAccelerated) RowDots<Ops128, Vector128<float>>(ref ra, ref rb, ref rc, m, n, k, accumulate);
        else RowDots<OpsScalar, float>(ref ra, ref rb, ref rc, m, n, k, accumulate);
    }

    /// <summary><see cref="Multiply"/> (or <see cref="MultiplyTransposedA"/> when <paramref name="transposedA"/> is set) with vectors
    /// of exactly <paramref name="width"/> floats (16, 8, 4 or 1), so tests reach every path; the caller checks the hardware.</summary>
    internal static void BroadcastingWidth(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate, bool transposedA, int width)
    {
        Validate(a.Length, b.Length, c.Length, m, n, k, transposedA ? "k×m" : "m×k", "k×n");
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int rs = transposedA ? 1 : k, ds = transposedA ? m : 1;
        if (width == 16) Broadcasting<Ops512, Vector512<float>>(ref ra, rs, ds, ref rb, ref rc, m, n, k, accumulate);
        else if (width == 8) Broadcasting<Ops256, Vector256<float>>(ref ra, rs, ds, ref rb, ref rc, m, n, k, accumulate);
        else if (width == 4) Broadcasting<Ops128, Vector128<float>>(ref ra, rs, ds, ref rb, ref rc, m, n, k, accumulate);
        else Broadcasting<OpsScalar, float>(ref ra, rs, ds, ref rb, ref rc, m, n, k, accumulate);
    }

    private static void Broadcasting(ref float a, int aRowStride, int aDepthStride, ref float b, ref float c, int m, int n, int k, bool accumulate)
    {
        if (Vector512.IsHardwareAccelerated) Broadcasting<Ops512, Vector512<float>>(ref a, aRowStride, aDepthStride, ref b, ref c, m, n, k, accumulate);
        else if (Vector256.IsHardwareAccelerated) Broadcasting<Ops256, Vector256<float>>(ref a, aRowStride, aDepthStride, ref b, ref c, m, n, k, accumulate);
        else if (Vector128.IsHardwareAccelerated) Broadcasting<Ops128, Vector128<float>>(ref a, aRowStride, aDepthStride, ref b, ref c, m, n, k, accumulate);
        else Broadcasting<OpsScalar, float>(ref a, aRowStride, aDepthStride, ref b, ref c, m, n, k, accumulate);
    }

    /// <summary>Writes (or adds) a finished accumulator to C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TOps, TV>(TV value, ref float destination, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        if (accumulate) value = TOps.Add(value, TOps.Load(ref destination));
        TOps.Store(value, ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float value, ref float destination, bool accumulate)
        => destination = accumulate ? destination + value : value;

    private static void Validate(int aLength, int bLength, int cLength, int m, int n, int k, string aShape, string bShape)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        // long: m·k may overflow int for absurd sizes, and must then fail the check, not wrap.
        CheckLength(aLength, (long)m * k, "a", aShape, m, n, k);
        CheckLength(bLength, (long)k * n, "b", bShape, m, n, k);
        CheckLength(cLength, (long)m * n, "c", "m×n", m, n, k);
    }

    private static void CheckLength(int actual, long expected, string name, string shape, int m, int n, int k)
    {
        if (actual < expected)
            throw new ArgumentException(
                $"Matrix {name} ({shape} with m={m}, n={n}, k={k}) needs at least {expected} elements but the span has {actual}.", name);
    }
}
