namespace ModelGen.Optimizers;

/// <summary>
/// Piecewise-constant decay: <c>ε_k = ε₀ · γ^⌊k / stepSize⌋</c>, i.e. the rate is multiplied by γ every
/// <c>stepSize</c> steps. Matches PyTorch's <c>StepLR(step_size, gamma)</c> stepped once per optimizer step,
/// and Keras' <c>ExponentialDecay(ε₀, stepSize, γ, staircase=True)</c>.
/// </summary>
public sealed class StepDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> ≤ 0, or γ is not finite and &gt; 0.</exception>
    public StepDecay(int stepSize, float gamma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!float.IsFinite(gamma) || gamma <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite and > 0.");
        }

        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Number of steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>Factor γ applied every <see cref="StepSize"/> steps.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float Rate(float baseRate, long step)
    {
        ValidateStep(step);
        return (float)(baseRate * Math.Pow(Gamma, step / StepSize));
    }
}
