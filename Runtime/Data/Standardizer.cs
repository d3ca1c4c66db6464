namespace ModelGen.Data;

/// <summary>
/// Standardizes data to mean 0 and standard deviation 1 with one mean and one deviation over all values
/// (for images: over every pixel of every training image), as fitted on the training set and then applied
/// unchanged to validation and test data.
/// </summary>
public sealed class Standardizer
{
    /// <summary>The mean of the fitted data.</summary>
    public float Mean { get; private set; }

    /// <summary>The (population) standard deviation of the fitted data; 1 where that was 0.</summary>
    public float StandardDeviation { get; private set; } = 1f;

    /// <summary>Creates a standardizer fitted to <paramref name="data"/>.</summary>
    public static Standardizer Fit(ReadOnlySpan<float> data)
    {
        var standardizer = new Standardizer();
        standardizer.Refit(data);
        return standardizer;
    }

    /// <summary>Computes <see cref="Mean"/> and <see cref="StandardDeviation"/> over every value of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is empty.</exception>
    public void Refit(ReadOnlySpan<float> data)
    {
        if (data.IsEmpty)
            throw new ArgumentException("Cannot fit to no data.", nameof(data));

        // Two passes in double precision: exact enough for millions of pixels, no cancellation.
        double sum = 0;
        foreach (float x in data)
        {
            sum += x;
        }

        double mean = sum / data.Length;
        double squares = 0;
        foreach (float x in data)
        {
            double d = x - mean;
            squares += d * d;
        }

        double std = Math.Sqrt(squares / data.Length);
        Mean = (float)mean;
        StandardDeviation = std > 0 ? (float)std : 1f;
    }

    /// <summary>Replaces every value x of <paramref name="data"/> by (x − mean) / std, in place.</summary>
    public void Transform(Span<float> data)
    {
        float mean = Mean, scale = 1f / StandardDeviation;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (data[i] - mean) * scale;
        }
    }

    /// <summary>Undoes <see cref="Transform"/>: every value z of <paramref name="data"/> becomes z · std + mean, in place.</summary>
    public void Inverse(Span<float> data)
    {
        float mean = Mean, std = StandardDeviation;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = data[i] * std + mean;
        }
    }
}
