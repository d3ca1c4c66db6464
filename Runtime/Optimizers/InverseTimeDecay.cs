namespace ModelGen.Optimizers;

/// <summary>
/// Inverse-time decay: <c>ε_k = ε₀ / (1 + decayRate · k / decaySteps)</c>. Matches Keras'
/// <c>InverseTimeDecay(ε₀, decaySteps, decayRate, staircase=False)</c>. Since <c>ε_k ~ 1/k</c>, it satisfies the
/// Robbins–Monro conditions <c>Σ ε_k = ∞</c> and <c>Σ ε_k² &lt; ∞</c> under which SGD converges.
/// </summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decayRate"/> is not finite and &gt; 0, or <paramref name="decaySteps"/> ≤ 0.</exception>
    public InverseTimeDecay(float decayRate, int decaySteps = 1)
    {
        if (!float.IsFinite(decayRate) || decayRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "decayRate must be finite and > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        DecayRate = decayRate;
        DecaySteps = decaySteps;
    }

    /// <summary>Decay rate.</summary>
    public float DecayRate { get; }

    /// <summary>Number of steps the decay rate is expressed per.</summary>
    public int DecaySteps { get; }

    /// <inheritdoc/>
    public override float Rate(float baseRate, long step)
    {
        ValidateStep(step);
        return (float)(baseRate / (1 + (double)DecayRate * step / DecaySteps));
    }
}
