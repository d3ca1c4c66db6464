namespace ModelGen.Training;

/// <summary>
/// Observes a training run. Every method has an empty default, so implement only what you need. The calls
/// come on the training thread; <see cref="OnBatchEnd"/> sits in the allocation-free inner loop, so keep it
/// cheap (and allocation-free if that matters to you).
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Before the first batch.</summary>
    void OnTrainingBegin(TrainingPlan plan)
    {
    }

    /// <summary>After every batch, updated or skipped.</summary>
    void OnBatchEnd(in BatchProgress batch)
    {
    }

    /// <summary>After every completed epoch, with its metrics (evaluation included).</summary>
    void OnEpochEnd(EpochRecord epoch)
    {
    }

    /// <summary>When training ends normally, by early stopping or by cancellation (not when it throws).</summary>
    void OnTrainingEnd(TrainingHistory history)
    {
    }
}

/// <summary>The shape of a training run, as resolved from the data and the options.</summary>
/// <param name="Epochs">Requested epochs.</param>
/// <param name="BatchSize">Examples per full batch.</param>
/// <param name="BatchesPerEpoch">Batches per epoch (the last one may be short).</param>
/// <param name="TrainCount">Training examples.</param>
/// <param name="ValidationCount">Validation examples (0: none).</param>
/// <param name="Metric">The metric reported (never <see cref="MetricKind.Auto"/>).</param>
/// <param name="Monitor">The value that decides the best epoch (never <see cref="MonitoredValue.Auto"/>).</param>
public sealed record TrainingPlan(int Epochs, int BatchSize, int BatchesPerEpoch, int TrainCount, int ValidationCount, MetricKind Metric, MonitoredValue Monitor);

/// <summary>One finished batch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="BatchesPerEpoch">Batches in the epoch.</param>
/// <param name="Size">Examples in this batch.</param>
/// <param name="Loss">The batch's training loss (possibly non-finite when <paramref name="Skipped"/>).</param>
/// <param name="Skipped">True when the update was skipped because the loss or gradient was not finite.</param>
/// <param name="EpochSeconds">Seconds since the epoch's first batch started.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchesPerEpoch, int Size, float Loss, bool Skipped, double EpochSeconds);
