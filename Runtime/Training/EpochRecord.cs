namespace ModelGen.Training;

/// <summary>The metrics of one completed epoch.</summary>
public sealed record EpochRecord
{
    /// <summary>1-based epoch number.</summary>
    public required int Epoch { get; init; }

    /// <summary>Mean training-mode loss over the epoch's updated batches, weighted by batch size (NaN if all were skipped).</summary>
    public required double TrainLoss { get; init; }

    /// <summary>The metric on the training set in inference mode, when <see cref="TrainerOptions.EvaluateTrainingMetric"/> is set.</summary>
    public double? TrainMetric { get; init; }

    /// <summary>Inference-mode loss on the validation set, if there is one.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>The metric on the validation set, if there is one and a metric.</summary>
    public double? ValidationMetric { get; init; }

    /// <summary>The learning rate of the epoch's first step (after the optimizer's schedule).</summary>
    public required float LearningRate { get; init; }

    /// <summary>Batches skipped for a non-finite loss or gradient in this epoch.</summary>
    public int SkippedBatches { get; init; }

    /// <summary>Seconds spent in the batch loop.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Seconds for the whole epoch, evaluation included.</summary>
    public required double Seconds { get; init; }

    /// <summary>Training examples per second in the batch loop.</summary>
    public double ExamplesPerSecond { get; init; }

    /// <summary>Whether this epoch became the best one so far on the monitored value.</summary>
    public bool Improved { get; init; }
}
