namespace ModelGen.Samples.Common;

/// <summary>Drawing a class from a model's softmax output, sharpened or flattened by a temperature.</summary>
internal static class TemperatureSampling
{
    /// <summary>
    /// Draws an index with probability proportional to <c>p_i^(1/T)</c> (the softmax of the logits divided by
    /// <paramref name="temperature"/>); T = 1 samples the model's distribution, T → 0 approaches the most likely
    /// index and T = 0 returns it. Allocation-free.
    /// </summary>
    public static int Sample(ReadOnlySpan<float> probabilities, float temperature, Rng rng)
    {
        int best = Batching.ArgMax(probabilities);
        if (temperature <= 0 || probabilities[best] <= 0)
        {
            return best;
        }

        // Dividing by the largest probability first keeps p^(1/T) away from underflow at small T.
        double exponent = 1.0 / temperature, max = probabilities[best], total = 0;
        foreach (float p in probabilities)
        {
            total += Math.Pow(p / max, exponent);
        }

        double u = rng.NextDouble() * total;
        for (int i = 0; i < probabilities.Length; i++)
        {
            u -= Math.Pow(probabilities[i] / max, exponent);
            if (u < 0)
            {
                return i;
            }
        }

        return best; // only reachable through rounding at u ≈ total
    }
}
