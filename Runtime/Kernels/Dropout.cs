
namespace ModelGen.Kernels;

/// <summary>
/// Inverted dropout: kept units are scaled by 1/(1 − rate) during training so inference needs no rescaling.
/// </summary>
public static class Dropout
{
    /// <summary>
    /// Draws a mask (0 with probability <paramref name="rate"/>, else 1/(1 − rate)) and writes y = x ⊙ mask.
    /// A unit is kept when <c>rng.NextFloat() &gt;= rate</c>; one draw per element, in order.
    /// </summary>
    /// <param name="x">Layer input.</param>
    /// <param name="y">Receives the output; same length as x.</param>
    /// <param name="mask">Receives the mask for <see cref="Backward"/>; same length as x.</param>
    /// <param name="rate">Drop probability in [0, 1). At 0 the mask is all ones and no random numbers are drawn.</param>
    /// <param name="rng">Source of randomness.</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng)
    {
        KernelChecks.SameLength(y.Length, x.Length, nameof(y));
        KernelChecks.SameLength(mask.Length, x.Length, nameof(mask));
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(rng);

        if (rate == 0f)
        {
            mask.Fill(1f);
            x.CopyTo(y);
            return;
        }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = rng.NextFloat() >= rate ? scale : 0f;
        Elementwise.Multiply(x, mask, y);
    }

    /// <summary>dx = dy ⊙ mask, using the mask recorded by <see cref="Forward"/>.</summary>
    /// <param name="mask">Mask from the forward pass.</param>
    /// <param name="dy">Gradient w.r.t. the output; same length as mask.</param>
    /// <param name="dx">Receives the gradient w.r.t. the input; same length as mask (may be dy itself).</param>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx)
    {
        KernelChecks.SameLength(dy.Length, mask.Length, nameof(dy));
        KernelChecks.SameLength(dx.Length, mask.Length, nameof(dx));
        Elementwise.Multiply(dy, mask, dx);
    }
}
