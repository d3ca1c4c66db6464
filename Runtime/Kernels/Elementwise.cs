using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>
/// The element-wise <see cref="TensorPrimitives"/> operations, run in pieces of at most <see cref="Piece"/> floats.
/// TensorPrimitives writes outputs longer than 256 KB with non-temporal stores, which bypass the cache: right for
/// a one-off pass over a large array, wrong for a training step whose parameters, gradients and activations stay
/// in L2 from one step to the next (an in-place SGD update of 100,000 parameters measured 18 µs instead of 5 µs on
/// Zen 5). Pieces below the threshold keep every store cached. Results are bit-for-bit those of one call (each
/// output element depends only on the same element of the inputs); argument errors are TensorPrimitives' own.
/// </summary>
internal static class Elementwise
{
    /// <summary>Floats per call: 64 KB, a multiple of every vector width, well under the 256 KB threshold.</summary>
    internal const int Piece = 16384;

    /// <summary>
    /// A last piece shorter than this joins the one before: TensorPrimitives computes a few leftover elements on a
    /// narrower (or scalar) path, whose transcendental functions round differently from the 512-bit one.
    /// </summary>
    private const int ShortestPiece = 64;

    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        InPieces(x, y, destination, TensorPrimitives.Add);

    public static void Subtract(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        InPieces(x, y, destination, TensorPrimitives.Subtract);

    public static void Subtract(ReadOnlySpan<float> x, float y, Span<float> destination) =>
        InPieces(x, y, destination, TensorPrimitives.Subtract);

    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        InPieces(x, y, destination, TensorPrimitives.Multiply);

    public static void Multiply(ReadOnlySpan<float> x, float y, Span<float> destination) =>
        InPieces(x, y, destination, TensorPrimitives.Multiply);

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination) => InPieces(x, destination, TensorPrimitives.Sigmoid);

    public static void Tanh(ReadOnlySpan<float> x, Span<float> destination) => InPieces(x, destination, TensorPrimitives.Tanh);

    public static void Exp(ReadOnlySpan<float> x, Span<float> destination) => InPieces(x, destination, TensorPrimitives.Exp);

    /// <summary>destination = x·y + addend.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> addend, Span<float> destination)
    {
        if (!Splits(x, y, destination) || addend.Length != x.Length) { TensorPrimitives.MultiplyAdd(x, y, addend, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            TensorPrimitives.MultiplyAdd(Part(x, i), Part(y, i), Part(addend, i), destination.Slice(i, Length(x, i)));
    }

    /// <summary>destination = x·y + addend, y a scalar.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float y, ReadOnlySpan<float> addend, Span<float> destination)
    {
        if (!Splits(x, addend, destination)) { TensorPrimitives.MultiplyAdd(x, y, addend, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            TensorPrimitives.MultiplyAdd(Part(x, i), y, Part(addend, i), destination.Slice(i, Length(x, i)));
    }

    public static void Clamp(ReadOnlySpan<float> x, float min, float max, Span<float> destination)
    {
        if (!Splits(x, x, destination)) { TensorPrimitives.Clamp(x, min, max, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            TensorPrimitives.Clamp(Part(x, i), min, max, destination.Slice(i, Length(x, i)));
    }

    // The operations as delegates: static method groups, which C# converts once and caches (no allocation per call).
    private delegate void Unary(ReadOnlySpan<float> x, Span<float> destination);

    private delegate void Binary(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination);

    private delegate void WithScalar(ReadOnlySpan<float> x, float y, Span<float> destination);

    private static void InPieces(ReadOnlySpan<float> x, Span<float> destination, Unary operation)
    {
        if (!Splits(x, x, destination)) { operation(x, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            operation(Part(x, i), destination.Slice(i, Length(x, i)));
    }

    private static void InPieces(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination, Binary operation)
    {
        if (!Splits(x, y, destination)) { operation(x, y, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            operation(Part(x, i), Part(y, i), destination.Slice(i, Length(x, i)));
    }

    private static void InPieces(ReadOnlySpan<float> x, float y, Span<float> destination, WithScalar operation)
    {
        if (!Splits(x, x, destination)) { operation(x, y, destination); return; }
        for (int i = 0; i < x.Length; i += Length(x, i))
            operation(Part(x, i), y, destination.Slice(i, Length(x, i)));
    }

    /// <summary>Whether the call is long enough to split and well-formed (otherwise one call, which throws if it must).</summary>
    private static bool Splits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        x.Length > Piece && y.Length == x.Length && destination.Length >= x.Length;

    /// <summary>The length of the piece at <paramref name="start"/>.</summary>
    private static int Length(ReadOnlySpan<float> x, int start) => x.Length - start < Piece + ShortestPiece ? x.Length - start : Piece;

    private static ReadOnlySpan<float> Part(ReadOnlySpan<float> x, int start) => x.Slice(start, Length(x, start));
}
