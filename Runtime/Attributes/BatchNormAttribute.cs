namespace ModelGen;

/// <summary>
/// Batch normalization: each feature (each channel, for C × H × W maps) is normalized with the mean and
/// variance over the mini-batch (and spatial positions) in training, and with running statistics at
/// inference; then scaled by a learned gain and shifted by a learned bias (PyTorch <c>BatchNorm1d/2d</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : Attribute
{
    /// <summary>ε, added to the variance. Default 1e-5 (PyTorch).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>Weight of the new batch statistic in the running averages. Default 0.1 (PyTorch).</summary>
    public double Momentum { get; set; } = 0.1;
}
