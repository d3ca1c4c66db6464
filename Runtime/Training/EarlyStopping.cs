namespace ModelGen.Training;

/// <summary>
/// Stops training once the monitored value has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> consecutive epochs (Keras' <c>EarlyStopping</c>).
/// </summary>
public sealed class EarlyStopping
{
    private int _patience = 5;
    private double _minDelta;

    /// <summary>The value watched: losses and RMSE must decrease, accuracy must increase.</summary>
    public MonitoredValue Monitor { get; init; } = MonitoredValue.Auto;

    /// <summary>Epochs without improvement after which training stops; ≥ 1 (default 5).</summary>
    public int Patience
    {
        get => _patience;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _patience = value;
        }
    }

    /// <summary>An epoch improves only if it beats the best value by more than this; finite and ≥ 0 (default 0).</summary>
    public double MinDelta
    {
        get => _minDelta;
        init
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be finite and >= 0.");
            }

            _minDelta = value;
        }
    }

    /// <summary>
    /// When training ends (by early stopping, cancellation or the last epoch), copy back the parameters and
    /// state of the best epoch (default true).
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;
}
