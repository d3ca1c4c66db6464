namespace ModelGen.Samples.Common;

/// <summary>Helpers shared by the samples' allocation-free training and evaluation loops.</summary>
internal static class Batching
{
    /// <summary>
    /// Fills <paramref name="order"/> with a random permutation of 0 … n − 1. It restarts from the identity, so the
    /// permutation depends only on the state of <paramref name="rng"/>, not on earlier epochs.
    /// </summary>
    public static void Shuffle(Span<int> order, Rng rng)
    {
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        rng.Shuffle(order);
    }

    /// <summary>The index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
