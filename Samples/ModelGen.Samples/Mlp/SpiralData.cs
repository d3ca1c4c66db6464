namespace ModelGen.Samples.Mlp;

/// <summary>Points on interleaved noisy spiral arms in 2-D, one class per arm.</summary>
internal sealed class SpiralData
{
    public const int Features = 2;

    private SpiralData(float[] inputs, float[] targets, int count, int classes)
    {
        Inputs = inputs;
        Targets = targets;
        Count = count;
        Classes = classes;
    }

    /// <summary>Row-major points, <see cref="Count"/> × 2.</summary>
    public float[] Inputs { get; }

    /// <summary>One-hot rows, <see cref="Count"/> × <see cref="Classes"/>.</summary>
    public float[] Targets { get; }

    public int Count { get; }

    public int Classes { get; }

    /// <summary>
    /// Generates <paramref name="count"/> points, spread evenly over <paramref name="classes"/> arms, in a
    /// random order (so any prefix is a fair sample for a train/test split).
    /// </summary>
    /// <remarks>
    /// With 3 arms, 1.5 turns put neighbouring arms 1/(3·1.5) ≈ 0.22 apart along a radius, about 5.5σ of the
    /// default noise: the boundary needs a curved, non-trivial model, yet ~99% accuracy is attainable.
    /// </remarks>
    public static SpiralData Generate(int count, int classes, ulong seed, float turns = 1.5f, float noise = 0.04f)
    {
        var rng = new Rng(seed);
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        rng.Shuffle(order);

        var inputs = new float[count * Features];
        var targets = new float[count * classes];
        for (int i = 0; i < count; i++)
        {
            int label = i % classes;

            // Radius grows linearly along the arm; starting at 0.1 keeps points off the centre, where all arms meet.
            float t = 0.1f + 0.9f * rng.NextFloat();
            double angle = 2 * Math.PI * (label / (double)classes + turns * t);
            int row = order[i];
            inputs[row * Features] = (float)(t * Math.Cos(angle)) + noise * rng.NextGaussian();
            inputs[row * Features + 1] = (float)(t * Math.Sin(angle)) + noise * rng.NextGaussian();
            targets[row * classes + label] = 1f;
        }

        return new SpiralData(inputs, targets, count, classes);
    }

    /// <summary>Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new set.</summary>
    public SpiralData Slice(int start, int count) => new(
        Inputs.AsSpan(start * Features, count * Features).ToArray(),
        Targets.AsSpan(start * Classes, count * Classes).ToArray(),
        count,
        Classes);
}
