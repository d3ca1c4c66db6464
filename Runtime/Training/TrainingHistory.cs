namespace ModelGen.Training;

/// <summary>What a <see cref="Trainer.Fit"/> run did, epoch by epoch.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochRecord> _epochs = [];

    internal TrainingHistory(TrainingPlan plan) => Plan = plan;

    /// <summary>The resolved shape of the run (sizes, metric, monitored value).</summary>
    public TrainingPlan Plan { get; }

    /// <summary>Every completed epoch in order (an epoch interrupted by cancellation or an exception is not included).</summary>
    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>The metric reported (accuracy, RMSE or none).</summary>
    public MetricKind Metric => Plan.Metric;

    /// <summary>The 1-based epoch with the best monitored value; 0 if no epoch had a finite one.</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>The best monitored value (NaN when <see cref="BestEpoch"/> is 0).</summary>
    public double BestValue { get; internal set; } = double.NaN;

    /// <summary>Why training ended.</summary>
    public StopReason StopReason { get; internal set; } = StopReason.Completed;

    /// <summary>True when the best epoch's weights were copied back into the model at the end.</summary>
    public bool RestoredBestWeights { get; internal set; }

    /// <summary>Batches skipped for a non-finite loss or gradient, over the whole run.</summary>
    public int SkippedBatches { get; internal set; }

    /// <summary>Wall-clock seconds of the whole run.</summary>
    public double Seconds { get; internal set; }

    /// <summary>The last completed epoch, or null.</summary>
    public EpochRecord? Last => _epochs.Count == 0 ? null : _epochs[^1];

    internal void Add(EpochRecord record) => _epochs.Add(record);
}
