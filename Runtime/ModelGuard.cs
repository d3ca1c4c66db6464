using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace ModelGen;

/// <summary>
/// Argument checks called by generated models before they touch any state. The messages name the expected
/// and the actual shape. Public only for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModelGuard
{
    /// <summary>Throws unless 1 ≤ <paramref name="batchSize"/> ≤ <paramref name="maxBatchSize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BatchSize(int batchSize, int maxBatchSize)
    {
        if ((uint)(batchSize - 1) >= (uint)maxBatchSize)
        {
            ThrowBatchSize(batchSize, maxBatchSize);
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> == <paramref name="batchSize"/> × <paramref name="exampleSize"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length(int actual, int batchSize, int exampleSize, string name)
    {
        if (actual != batchSize * exampleSize)
        {
            ThrowLength(actual, batchSize, exampleSize, name);
        }
    }

    /// <summary>Throws unless 1 ≤ <paramref name="steps"/> ≤ <paramref name="maxSequenceLength"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Steps(int steps, int maxSequenceLength, string name = "steps")
    {
        if ((uint)(steps - 1) >= (uint)maxSequenceLength)
        {
            ThrowSteps(steps, maxSequenceLength, name);
        }
    }

    /// <summary>Throws unless 1 ≤ <paramref name="steps"/> ≤ <paramref name="maxOutputLength"/> (a decoder's output length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OutputSteps(int steps, int maxOutputLength)
    {
        if ((uint)(steps - 1) >= (uint)maxOutputLength)
        {
            ThrowOutputSteps(steps, maxOutputLength);
        }
    }

    private static void ThrowOutputSteps(int steps, int maxOutputLength) =>
        throw new ArgumentOutOfRangeException(
            "outputSteps",
            steps,
            $"Output sequence length must be between 1 and the model's MaxOutputLength ({maxOutputLength}), but is {steps}. Raise [Decoder(..., MaxSequenceLength = ...)] to allow longer outputs.");

    private static void ThrowSteps(int steps, int maxSequenceLength, string name) =>
        throw new ArgumentOutOfRangeException(
            name,
            steps,
            $"Sequence length must be between 1 and the model's MaxSequenceLength ({maxSequenceLength}), but is {steps}. Raise [Input(..., MaxSequenceLength = ...)] to allow longer sequences.");

    private static void ThrowBatchSize(int batchSize, int maxBatchSize) =>
        throw new ArgumentOutOfRangeException(
            nameof(batchSize),
            batchSize,
            $"Batch size must be between 1 and the model's MaxBatchSize ({maxBatchSize}), but is {batchSize}. Raise [Model(MaxBatchSize = ...)] to allow larger batches.");

    private static void ThrowLength(int actual, int batchSize, int exampleSize, string name) =>
        throw new ArgumentException(
            $"Expected '{name}' to hold {batchSize} × {exampleSize} = {batchSize * exampleSize} floats (batch × example size), but it holds {actual}.",
            name);
}
