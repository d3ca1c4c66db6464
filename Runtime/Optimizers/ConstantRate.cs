namespace ModelGen.Optimizers;

/// <summary>The base rate at every step: <c>ε_k = ε₀</c> (same as no schedule; PyTorch/Keras: a plain float rate).</summary>
public sealed class ConstantRate : LearningRateSchedule
{
    /// <inheritdoc/>
    public override float Rate(float baseRate, long step)
    {
        ValidateStep(step);
        return baseRate;
    }
}
