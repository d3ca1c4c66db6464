namespace ModelGen.Samples.TimeSeries;

/// <summary>
/// A seeded synthetic series for the <c>timeseries</c> sample and its chronological split:
/// <c>x_t = 2 sin(2πt/24 + φ₁) + sin(2πt/61 + φ₂) + 0.5 sin(2πt/9.5 + φ₃) + 0.0003·t + σ·ε_t</c>, ε_t ~ N(0, 1),
/// with random phases φ. The first 70% of the points train, the next 10% validate, the last 20% test.
/// </summary>
/// <remarks>
/// The periods are short enough that the value moves a lot from one step to the next, so the naive
/// last-value forecast x̂_{t+1} = x_t is poor (its error is the typical size of one step's change, ≈ 0.46 here),
/// while the default noise (σ = 0.1) bounds what any forecaster can reach from below. The trend is slow
/// enough (1.2 over the whole series) that the test values stay within the range seen in training.
/// </remarks>
internal sealed class SeriesData
{
    /// <summary>The default standard deviation σ of the Gaussian noise.</summary>
    public const float DefaultNoise = 0.1f;

    private SeriesData(float[] values, int trainEnd, int validationEnd)
    {
        Values = values;
        TrainEnd = trainEnd;
        ValidationEnd = validationEnd;
    }

    /// <summary>The observations x_0 … x_{n−1}, in original units.</summary>
    public float[] Values { get; }

    /// <summary>The training points are [0, TrainEnd).</summary>
    public int TrainEnd { get; }

    /// <summary>The validation points are [TrainEnd, ValidationEnd); the test points [ValidationEnd, n).</summary>
    public int ValidationEnd { get; }

    public int Length => Values.Length;

    /// <summary>Generates <paramref name="length"/> points with noise σ = <paramref name="noise"/>, split 70/10/20 in time order.</summary>
    public static SeriesData Generate(int length, float noise, ulong seed)
    {
        var rng = new Rng(seed);
        double phase1 = 2 * Math.PI * rng.NextDouble();
        double phase2 = 2 * Math.PI * rng.NextDouble();
        double phase3 = 2 * Math.PI * rng.NextDouble();

        var values = new float[length];
        for (int t = 0; t < length; t++)
        {
            double seasonal = 2.0 * Math.Sin(2 * Math.PI * t / 24 + phase1)
                            + 1.0 * Math.Sin(2 * Math.PI * t / 61 + phase2)
                            + 0.5 * Math.Sin(2 * Math.PI * t / 9.5 + phase3);
            values[t] = (float)(seasonal + 0.0003 * t + noise * rng.NextGaussian());
        }

        return new SeriesData(values, (int)(length * 0.7), (int)(length * 0.8));
    }
}
