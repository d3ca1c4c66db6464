using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Elementwise vector arithmetic for the fused recurrent-cell kernels (<see cref="Lstm"/>, <see cref="Gru"/>):
/// loads, stores, FMA and fast σ / tanh on <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/> or scalars.
/// The vector σ and tanh use a Cephes-style exp (range reduction to [−ln2/2, ln2/2], degree-6 polynomial,
/// exponent bits set directly): about 2 ulp for exp, so σ and tanh agree with MathF within ~3e-7 relative.
/// tanh uses an odd polynomial below |x| = 0.625, so it keeps its relative accuracy near zero.
/// </summary>
internal interface ICellOps<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Broadcast(float value);
    static abstract TV Load(ref float source);
    static abstract void Store(TV value, ref float destination);
    static abstract TV Add(TV a, TV b);
    static abstract TV Subtract(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    /// <summary>a·b + c.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);
    static abstract TV Sigmoid(TV x);
    static abstract TV Tanh(TV x);
}

/// <summary>Which width the fused recurrent kernels use; tests force the narrower paths on AVX-512 machines.</summary>
internal static class CellPath
{
    /// <summary>0: the widest the machine accelerates; 512, 256 or 1 (scalar) to force one (falls back if unsupported).</summary>
    internal static int Forced;

    public static int Width
    {
        get
        {
            int forced = Forced;
            if (forced == 1) return 1;
            if (forced != 256 && Vector512.IsHardwareAccelerated) return 512;
            if (Vector256.IsHardwareAccelerated) return 256;
            return 1;
        }
    }
}

internal readonly struct Cell512 : ICellOps<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(CellConstants.ExpLow)), Vector512.Create(CellConstants.ExpHigh));
        Vector512<float> fx = Vector512.Floor(Vector512.MultiplyAddEstimate(x, Vector512.Create(CellConstants.Log2E), Vector512.Create(0.5f)));
        Vector512<float> r = Vector512.MultiplyAddEstimate(fx, Vector512.Create(-CellConstants.Ln2Hi), x);
        r = Vector512.MultiplyAddEstimate(fx, Vector512.Create(-CellConstants.Ln2Lo), r);
        Vector512<float> p = Vector512.Create(CellConstants.P0);
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(CellConstants.P1));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(CellConstants.P2));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(CellConstants.P3));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(CellConstants.P4));
        p = Vector512.MultiplyAddEstimate(p, r, Vector512.Create(CellConstants.P5));
        Vector512<float> y = Vector512.MultiplyAddEstimate(p, r * r, r + Vector512<float>.One);
        // fx is a whole number in [−126, 128] here (x is clamped), so the native conversion is exact: the saturating
        // ConvertToInt32 costs three more instructions (a fix-up for NaN and overflow), 5 per LSTM unit; W4's forward
        // pass 1355 → 1064–1144 µs with the native one.
        Vector512<int> e = Vector512.ShiftLeft(Vector512.ConvertToInt32Native(fx) + Vector512.Create(127), 23);
        return y * e.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> ax = Vector512.Abs(x);
        // Large |x|: 1 − 2/(e^{2|x|} + 1), sign restored below.
        Vector512<float> large = Vector512<float>.One - Vector512.Create(2f) / (Exp(ax + ax) + Vector512<float>.One);
        large = Vector512.ConditionalSelect(Vector512.Create(-0f), x, large);
        // Small |x|: x + x³·P(x²).
        Vector512<float> z = x * x;
        Vector512<float> q = Vector512.Create(CellConstants.T0);
        q = Vector512.MultiplyAddEstimate(q, z, Vector512.Create(CellConstants.T1));
        q = Vector512.MultiplyAddEstimate(q, z, Vector512.Create(CellConstants.T2));
        q = Vector512.MultiplyAddEstimate(q, z, Vector512.Create(CellConstants.T3));
        q = Vector512.MultiplyAddEstimate(q, z, Vector512.Create(CellConstants.T4));
        Vector512<float> small = Vector512.MultiplyAddEstimate(q * z, x, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(CellConstants.TanhSmall)), small, large);
    }
}

internal readonly struct Cell256 : ICellOps<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(CellConstants.ExpLow)), Vector256.Create(CellConstants.ExpHigh));
        Vector256<float> fx = Vector256.Floor(Vector256.MultiplyAddEstimate(x, Vector256.Create(CellConstants.Log2E), Vector256.Create(0.5f)));
        Vector256<float> r = Vector256.MultiplyAddEstimate(fx, Vector256.Create(-CellConstants.Ln2Hi), x);
        r = Vector256.MultiplyAddEstimate(fx, Vector256.Create(-CellConstants.Ln2Lo), r);
        Vector256<float> p = Vector256.Create(CellConstants.P0);
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(CellConstants.P1));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(CellConstants.P2));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(CellConstants.P3));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(CellConstants.P4));
        p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(CellConstants.P5));
        Vector256<float> y = Vector256.MultiplyAddEstimate(p, r * r, r + Vector256<float>.One);
        Vector256<int> e = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(fx) + Vector256.Create(127), 23);
        return y * e.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> ax = Vector256.Abs(x);
        Vector256<float> large = Vector256<float>.One - Vector256.Create(2f) / (Exp(ax + ax) + Vector256<float>.One);
        large = Vector256.ConditionalSelect(Vector256.Create(-0f), x, large);
        Vector256<float> z = x * x;
        Vector256<float> q = Vector256.Create(CellConstants.T0);
        q = Vector256.MultiplyAddEstimate(q, z, Vector256.Create(CellConstants.T1));
        q = Vector256.MultiplyAddEstimate(q, z, Vector256.Create(CellConstants.T2));
        q = Vector256.MultiplyAddEstimate(q, z, Vector256.Create(CellConstants.T3));
        q = Vector256.MultiplyAddEstimate(q, z, Vector256.Create(CellConstants.T4));
        Vector256<float> small = Vector256.MultiplyAddEstimate(q * z, x, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(CellConstants.TanhSmall)), small, large);
    }
}

/// <summary>Width-1 fallback (and the tail of the vector loops): MathF's exp and tanh.</summary>
internal readonly struct CellScalar : ICellOps<float>
{
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref float source) => source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination) => destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Tanh(float x) => MathF.Tanh(x);
}

internal static class CellConstants
{
    // exp: clamp so that 2^n stays a normal float, n = ⌊x·log2 e + ½⌋, r = x − n·ln2 (two-part ln2), Cephes expf polynomial.
    public const float ExpLow = -87.33654f, ExpHigh = 88.37626f;
    public const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    public const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
        P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    // tanh for |x| < 0.625 (Cephes tanhf): x + x³·(((T0·z + T1)·z + T2)·z + T3)·z + T4), z = x².
    public const float TanhSmall = 0.625f;
    public const float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f, T3 = 1.33314422036e-1f,
        T4 = -3.33332819422e-1f;
}

/// <summary>Shared helpers of the fused recurrent kernels.</summary>
internal static partial class CellKernels
{
    /// <summary>
    /// Below this many rows (batch·steps) the recurrent product uses W as stored ([G × H], row dot products);
    /// from it on, transposing W once into scratch and running the broadcast GEMM (no horizontal sums) pays off.
    /// </summary>
    public const int TransposeRows = 8;

    [ThreadStatic] private static AlignedBuffer t_scratch;

    /// <summary>
    /// A per-thread scratch block of at least <paramref name="length"/> floats (grown once, then reused), starting on a
    /// cache line like the model's own buffers.
    /// </summary>
    public static Span<float> Scratch(int length)
    {
        if (t_scratch.Length < length)
            t_scratch = new AlignedBuffer(Math.Max(length, 1024));
        return t_scratch.Slice(0, length);
    }

    /// <summary>y[r, :] = x[r, :] + bias for r &lt; rows (row length bias.Length = n).</summary>
    public static void AddBiasRows<TOps, TV>(ref float x, ref float bias, ref float y, int rows, int n)
        where TOps : struct, ICellOps<TV> where TV : struct
    {
        int w = TOps.Count;
        for (int r = 0; r < rows; r++)
        {
            ref float xr = ref Unsafe.Add(ref x, r * n);
            ref float yr = ref Unsafe.Add(ref y, r * n);
            int j = 0;
            for (; j + w <= n; j += w)
                TOps.Store(TOps.Add(TOps.Load(ref Unsafe.Add(ref xr, j)), TOps.Load(ref Unsafe.Add(ref bias, j))), ref Unsafe.Add(ref yr, j));
            for (; j < n; j++)
                Unsafe.Add(ref yr, j) = Unsafe.Add(ref xr, j) + Unsafe.Add(ref bias, j);
        }
    }
}
