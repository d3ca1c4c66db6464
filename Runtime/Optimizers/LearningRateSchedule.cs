namespace ModelGen.Optimizers;

/// <summary>
/// Maps the base learning rate and the step index to the rate of that step. Assign one to
/// <see cref="Optimizer.Schedule"/>; the optimizer calls <see cref="Rate"/> once per step.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate of the step with index <paramref name="step"/>.</summary>
    /// <param name="baseRate">The optimizer's <see cref="Optimizer.LearningRate"/>.</param>
    /// <param name="step">Number of optimizer steps taken before this one (0 for the first step).</param>
    /// <returns>A finite rate ≥ 0.</returns>
    public abstract float Rate(float baseRate, long step);

    /// <summary>Throws if <paramref name="step"/> is negative.</summary>
    protected static void ValidateStep(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
    }
}
