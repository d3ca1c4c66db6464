namespace ModelGen.Training;

/// <summary>The quality metric reported beside the loss.</summary>
public enum MetricKind
{
    /// <summary>Accuracy when every target row is one-hot, RMSE otherwise (decided once, from the training targets).</summary>
    Auto,

    /// <summary>Only the loss.</summary>
    None,

    /// <summary>Fraction of output rows whose arg-max matches the arg-max of the one-hot target row (higher is better).</summary>
    Accuracy,

    /// <summary>Root of the mean squared difference between outputs and targets, over all elements (lower is better).</summary>
    Rmse,
}

/// <summary>The per-epoch value that decides the best epoch and early stopping.</summary>
public enum MonitoredValue
{
    /// <summary><see cref="ValidationLoss"/> when there is a validation set, else <see cref="TrainLoss"/>.</summary>
    Auto,

    /// <summary>Mean training-mode loss over the epoch's batches.</summary>
    TrainLoss,

    /// <summary>The metric on the training set (needs <see cref="TrainerOptions.EvaluateTrainingMetric"/>).</summary>
    TrainMetric,

    /// <summary>Inference-mode loss on the validation set.</summary>
    ValidationLoss,

    /// <summary>The metric on the validation set.</summary>
    ValidationMetric,
}

/// <summary>What the trainer does with a batch whose loss or gradient is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>
    /// Throw a <see cref="TrainingException"/> naming the epoch, batch and loss, after restoring the model to the
    /// most recent weights whose training loss was finite.
    /// </summary>
    Stop,

    /// <summary>Skip the update (the parameters and state stay as before the batch) and count the batch.</summary>
    SkipBatch,
}

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>All requested epochs ran.</summary>
    Completed,

    /// <summary>The monitored value did not improve for <see cref="EarlyStopping.Patience"/> epochs.</summary>
    EarlyStopped,

    /// <summary>The cancellation token fired; training stopped between two batches.</summary>
    Cancelled,

    /// <summary>A non-finite loss or gradient under <see cref="NonFiniteLossPolicy.Stop"/> (see <see cref="TrainingException"/>).</summary>
    NonFiniteLoss,
}
