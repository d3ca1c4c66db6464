namespace ModelGen;

/// <summary>Weight initialization schemes (Keras defaults), all drawing from a deterministic <see cref="Rng"/>.</summary>
public static class Initializers
{
    /// <summary>Glorot/Xavier uniform: U(−l, l) with l = sqrt(6 / (fanIn + fanOut)). Keras' default for Dense.</summary>
    /// <param name="weights">Destination, filled completely.</param>
    /// <param name="fanIn">Number of inputs per unit; positive.</param>
    /// <param name="fanOut">Number of units; positive.</param>
    /// <param name="rng">Source of randomness.</param>
    public static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, Rng rng)
    {
        CheckFan(fanIn, nameof(fanIn));
        CheckFan(fanOut, nameof(fanOut));
        Uniform(weights, (float)Math.Sqrt(6.0 / ((double)fanIn + fanOut)), rng);
    }

    /// <summary>He/Kaiming uniform: U(−l, l) with l = sqrt(6 / fanIn). Suited to ReLU layers.</summary>
    /// <param name="weights">Destination, filled completely.</param>
    /// <param name="fanIn">Number of inputs per unit; positive.</param>
    /// <param name="rng">Source of randomness.</param>
    public static void HeUniform(Span<float> weights, int fanIn, Rng rng)
    {
        CheckFan(fanIn, nameof(fanIn));
        Uniform(weights, (float)Math.Sqrt(6.0 / fanIn), rng);
    }

    /// <summary>Glorot/Xavier normal: N(0, σ²) with σ = sqrt(2 / (fanIn + fanOut)).</summary>
    /// <param name="weights">Destination, filled completely.</param>
    /// <param name="fanIn">Number of inputs per unit; positive.</param>
    /// <param name="fanOut">Number of units; positive.</param>
    /// <param name="rng">Source of randomness.</param>
    public static void GlorotNormal(Span<float> weights, int fanIn, int fanOut, Rng rng)
    {
        CheckFan(fanIn, nameof(fanIn));
        CheckFan(fanOut, nameof(fanOut));
        Normal(weights, (float)Math.Sqrt(2.0 / ((double)fanIn + fanOut)), rng);
    }

    /// <summary>He/Kaiming normal: N(0, σ²) with σ = sqrt(2 / fanIn). Suited to ReLU layers.</summary>
    /// <param name="weights">Destination, filled completely.</param>
    /// <param name="fanIn">Number of inputs per unit; positive.</param>
    /// <param name="rng">Source of randomness.</param>
    public static void HeNormal(Span<float> weights, int fanIn, Rng rng)
    {
        CheckFan(fanIn, nameof(fanIn));
        Normal(weights, (float)Math.Sqrt(2.0 / fanIn), rng);
    }

    /// <summary>Fills <paramref name="weights"/> with U(−limit, limit).</summary>
    /// <param name="weights">Destination, filled completely.</param>
    /// <param name="limit">Half-width of the interval; non-negative.</param>
    /// <param name="rng">Source of randomness.</param>
    public static void Uniform(Span<float> weights, float limit, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(limit >= 0f))
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "Limit must be non-negative.");
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (2f * rng.NextFloat() - 1f) * limit;
    }

    // Plain (untruncated) normal; Keras truncates, but the difference does not matter for small nets.
    private static void Normal(Span<float> weights, float std, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (int i = 0; i < weights.Length; i++)
            weights[i] = rng.NextGaussian() * std;
    }

    private static void CheckFan(int fan, string name)
    {
        if (fan <= 0)
            throw new ArgumentOutOfRangeException(name, fan, "Fan-in/fan-out must be positive.");
    }
}
