namespace ModelGen.Training;

/// <summary>How <see cref="Trainer"/> trains: epochs, batching, validation, metric, early stopping, callbacks.</summary>
public sealed class TrainerOptions
{
    private int _epochs = 10;
    private double _validationSplit;

    /// <summary>Passes over the training set; ≥ 1 (default 10).</summary>
    public int Epochs
    {
        get => _epochs;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _epochs = value;
        }
    }

    /// <summary>Examples per mini-batch, at most the model's <see cref="IModel.MaxBatchSize"/>; null (default) uses that maximum.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Seed of the per-epoch shuffling (<see cref="Rng"/>): the same seed and model give the same run.</summary>
    public ulong Seed { get; init; }

    /// <summary>Reshuffle the training examples every epoch (default true); false keeps their order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Fraction in [0, 1) of the data held out for validation: the last <c>⌊count · fraction⌋</c> examples, taken
    /// before any shuffling (as Keras does), so shuffle the data first if it is ordered. 0 (default): none.
    /// Cannot be combined with an explicit validation set.
    /// </summary>
    public double ValidationSplit
    {
        get => _validationSplit;
        init
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(ValidationSplit), value, "ValidationSplit must be in [0, 1).");
            }

            _validationSplit = value;
        }
    }

    /// <summary>The metric reported beside the loss (default <see cref="MetricKind.Auto"/>).</summary>
    public MetricKind Metric { get; init; } = MetricKind.Auto;

    /// <summary>Also evaluate the metric on the training set after each epoch (an extra inference pass; default false).</summary>
    public bool EvaluateTrainingMetric { get; init; }

    /// <summary>Early stopping, or null (default) to run every epoch.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>What to do with a NaN or infinite loss or gradient (default <see cref="NonFiniteLossPolicy.Stop"/>).</summary>
    public NonFiniteLossPolicy NonFiniteLoss { get; init; } = NonFiniteLossPolicy.Stop;

    /// <summary>Called at the start, after every batch, after every epoch and at the end, in list order.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];
}
