namespace ModelGen.Optimizers;

/// <summary>
/// Continuous exponential decay: <c>ε_k = ε₀ · γ^(k / decaySteps)</c> (real-valued exponent). Matches Keras'
/// <c>ExponentialDecay(ε₀, decaySteps, γ, staircase=False)</c>; with <c>decaySteps = 1</c> it is PyTorch's
/// <c>ExponentialLR(gamma)</c> stepped once per optimizer step. For the staircase form use <see cref="StepDecay"/>.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">γ is not finite and &gt; 0, or <paramref name="decaySteps"/> ≤ 0.</exception>
    public ExponentialDecay(float gamma, int decaySteps = 1)
    {
        if (!float.IsFinite(gamma) || gamma <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite and > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(decaySteps);
        Gamma = gamma;
        DecaySteps = decaySteps;
    }

    /// <summary>Factor γ the rate is multiplied by over every <see cref="DecaySteps"/> steps.</summary>
    public float Gamma { get; }

    /// <summary>Number of steps over which the rate decays by a factor γ.</summary>
    public int DecaySteps { get; }

    /// <inheritdoc/>
    public override float Rate(float baseRate, long step)
    {
        ValidateStep(step);
        return (float)(baseRate * Math.Pow(Gamma, (double)step / DecaySteps));
    }
}
