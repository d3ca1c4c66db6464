namespace ModelGen.Training;

/// <summary>
/// Training stopped on a non-finite loss or gradient under <see cref="NonFiniteLossPolicy.Stop"/>. The model holds
/// the most recent weights whose training loss was finite, and the state from before the failing batch.
/// </summary>
public sealed class TrainingException : InvalidOperationException
{
    internal TrainingException(string message, int epoch, int batch, float loss, TrainingHistory history)
        : base(message)
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        History = history;
    }

    /// <summary>1-based epoch of the failing batch.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch within <see cref="Epoch"/>.</summary>
    public int Batch { get; }

    /// <summary>The batch's loss (finite when only the gradient was not).</summary>
    public float Loss { get; }

    /// <summary>The epochs completed before the failure.</summary>
    public TrainingHistory History { get; }
}
