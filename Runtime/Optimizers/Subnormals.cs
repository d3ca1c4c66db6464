using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Optimizers;

/// <summary>
/// Keeps the optimizers' arithmetic out of float's subnormal range (below ≈1.18e-38): a term whose product would
/// land there is dropped (made zero) before it is computed.
/// </summary>
/// <remarks>
/// Intel cores run every vector instruction that reads or produces a subnormal through a microcode assist (about
/// a hundred cycles). A parameter whose gradient stays exactly zero (the weights of a dead ReLU unit) lets its
/// moment decay geometrically into that range, and rounding then keeps it there for good (0.9 × 2⁻¹⁴⁹ rounds back
/// to 2⁻¹⁴⁹): the W6 benchmark's Adam step took five times as long as with normal numbers, on every later step.
/// A dropped term is below 2.4e-38 (relative to the factor that scales it), so the parameter update it would have
/// made is smaller than float's resolution of any parameter larger than about 1e-30.
/// </remarks>
internal static class Subnormals
{
    /// <summary>The smallest positive normal float, 2⁻¹²⁶.</summary>
    private const float SmallestNormal = 1.17549435e-38f;

    /// <summary>
    /// The least |x| for which <paramref name="factor"/>·x is still normal (with a factor-2 margin for rounding);
    /// +∞ for a zero factor, whose products are zero anyway.
    /// </summary>
    public static float Threshold(float factor) =>
        factor == 0 ? float.PositiveInfinity : 2 * SmallestNormal / MathF.Abs(factor);

    /// <summary>The least |x| for which <paramref name="factor"/>·x² is normal and x² is normal.</summary>
    public static float SquareThreshold(float factor) =>
        MathF.Sqrt(MathF.Max(Threshold(factor), 2 * SmallestNormal));

    /// <summary>x, or 0 when |x| &lt; <paramref name="threshold"/> (NaN is kept, so it still surfaces).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Flush(float x, float threshold) => MathF.Abs(x) < threshold ? 0f : x;

    /// <inheritdoc cref="Flush(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Flush(Vector<float> x, Vector<float> threshold) =>
        Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(x), threshold), Vector<float>.Zero, x);

    /// <inheritdoc cref="Flush(float, float)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Flush(Vector512<float> x, Vector512<float> threshold) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x), threshold), Vector512<float>.Zero, x);
}
