namespace ModelGen.Training;

/// <summary>
/// An in-memory data set: <see cref="Count"/> examples whose inputs and targets are stored back to back,
/// row-major. For a sequence model each input row is one fixed-length sequence laid out [step][features],
/// and each target row is one output row, or one per step for a model that returns sequences.
/// </summary>
public sealed class TrainingData
{
    /// <summary>Wraps <paramref name="inputs"/> and <paramref name="targets"/> (not copied) as <paramref name="count"/> examples.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> ≤ 0.</exception>
    /// <exception cref="ArgumentException">An array is empty or its length is not a multiple of <paramref name="count"/>.</exception>
    public TrainingData(float[] inputs, float[] targets, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (inputs.Length == 0 || inputs.Length % count != 0)
        {
            throw new ArgumentException($"inputs has {inputs.Length} floats, which is not a positive multiple of {count} examples.", nameof(inputs));
        }

        if (targets.Length == 0 || targets.Length % count != 0)
        {
            throw new ArgumentException($"targets has {targets.Length} floats, which is not a positive multiple of {count} examples.", nameof(targets));
        }

        Inputs = inputs;
        Targets = targets;
        Count = count;
    }

    /// <summary>All inputs, <see cref="Count"/> × <see cref="InputWidth"/>.</summary>
    public float[] Inputs { get; }

    /// <summary>All targets, <see cref="Count"/> × <see cref="TargetWidth"/>.</summary>
    public float[] Targets { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Floats in one example's input (for a sequence model: steps × features).</summary>
    public int InputWidth => Inputs.Length / Count;

    /// <summary>Floats in one example's target.</summary>
    public int TargetWidth => Targets.Length / Count;
}
