using System.Diagnostics;
using System.Globalization;
using ModelGen.Optimizers;

namespace ModelGen.Training;

/// <summary>
/// Trains any generated model on in-memory data: shuffled mini-batches, validation, metrics, early stopping,
/// callbacks, cancellation and non-finite loss handling.
/// </summary>
/// <example>
/// <code>
/// var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 40, ValidationSplit = 0.2 });
/// TrainingHistory history = trainer.Fit(new TrainingData(inputs, targets, count));
/// double accuracy = trainer.Evaluate(test).Metric ?? 0;
/// </code>
/// </example>
/// <remarks>
/// Each batch runs <see cref="IModel.ComputeGradients"/>, checks the loss and the gradient, and only then calls
/// <see cref="Optimizer.Step"/>, so a non-finite batch never reaches the weights. The buffers are allocated once per
/// <see cref="Fit"/>; the batch loop itself allocates nothing. Sequence models are fed whole fixed-length sequences
/// (steps = input row width / <see cref="IModel.InputSize"/>) with <see cref="ISequenceModel.CarryState"/> off.
/// A trainer is not thread-safe.
/// </remarks>
public sealed class Trainer
{
    private float[] _batchInputs = [];
    private float[] _batchTargets = [];
    private float[] _stateBackup = [];
    private float[] _parameterBackup = [];
    private int[] _order = [];

    /// <summary>Creates a trainer for <paramref name="model"/> updated by <paramref name="optimizer"/> (whose schedule sets the rate).</summary>
    public Trainer(IModel model, Optimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
        Options = options ?? new TrainerOptions();
        if (Options.BatchSize is { } batch && (batch < 1 || batch > model.MaxBatchSize))
        {
            throw new ArgumentOutOfRangeException(nameof(options), batch, $"BatchSize must be in [1, {model.MaxBatchSize}] (the model's MaxBatchSize).");
        }
    }

    /// <summary>The model being trained.</summary>
    public IModel Model { get; }

    /// <summary>The optimizer applying the updates.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The options of every <see cref="Fit"/>.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// Trains for <see cref="TrainerOptions.Epochs"/> epochs (fewer with early stopping or cancellation) and returns
    /// the history. Validation uses <paramref name="validation"/> or <see cref="TrainerOptions.ValidationSplit"/>.
    /// </summary>
    /// <param name="train">The training data (and the held-out split, with <see cref="TrainerOptions.ValidationSplit"/>).</param>
    /// <param name="validation">An explicit validation set, or null.</param>
    /// <param name="cancellationToken">Checked before every batch: once it fires, training stops there, leaving the
    /// weights of the last applied update (or the best epoch's, with <see cref="EarlyStopping.RestoreBestWeights"/>),
    /// and the history ends with <see cref="StopReason.Cancelled"/>. No exception is thrown.</param>
    /// <exception cref="ArgumentException">The data do not fit the model, or the options do not fit the data.</exception>
    /// <exception cref="InvalidOperationException">A sequence model has <see cref="ISequenceModel.CarryState"/> set.</exception>
    /// <exception cref="TrainingException">A non-finite loss or gradient under <see cref="NonFiniteLossPolicy.Stop"/>.</exception>
    public TrainingHistory Fit(TrainingData train, TrainingData? validation = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        IModel model = Model;
        DataLayout layout = DataLayout.Of(model, train, nameof(train));
        if (layout.Sequence is { CarryState: true })
        {
            throw new InvalidOperationException("Set CarryState to false before training on shuffled sequences: every example is an independent sequence.");
        }

        // The validation rows: an explicit set, or the tail of the training data.
        int trainCount = train.Count, validationStart = 0, validationCount = 0;
        TrainingData? validationData = validation;
        if (validation is not null)
        {
            if (Options.ValidationSplit > 0)
            {
                throw new ArgumentException("Give either a validation set or TrainerOptions.ValidationSplit, not both.", nameof(validation));
            }

            if (DataLayout.Of(model, validation, nameof(validation)) != layout)
            {
                throw new ArgumentException("The validation rows must have the same widths as the training rows.", nameof(validation));
            }

            validationCount = validation.Count;
        }
        else if (Options.ValidationSplit > 0)
        {
            validationCount = (int)(train.Count * Options.ValidationSplit);
            trainCount = train.Count - validationCount;
            if (validationCount < 1 || trainCount < 1)
            {
                throw new ArgumentException(
                    $"ValidationSplit {Options.ValidationSplit} of {train.Count} examples leaves {trainCount} for training and {validationCount} for validation; both need at least one.",
                    nameof(train));
            }

            validationData = train;
            validationStart = trainCount;
        }

        MetricKind metric = Options.Metric == MetricKind.Auto
            ? (Evaluator.IsOneHot(train, model.OutputSize) ? MetricKind.Accuracy : MetricKind.Rmse)
            : Options.Metric;
        EarlyStopping? early = Options.EarlyStopping;
        MonitoredValue monitor = ResolveMonitor(early?.Monitor ?? MonitoredValue.Auto, validationCount > 0, metric);
        bool higherIsBetter = monitor is MonitoredValue.TrainMetric or MonitoredValue.ValidationMetric && metric == MetricKind.Accuracy;
        double minDelta = early?.MinDelta ?? 0;

        int batchSize = Options.BatchSize ?? model.MaxBatchSize;
        int batches = (trainCount + batchSize - 1) / batchSize;
        var plan = new TrainingPlan(Options.Epochs, batchSize, batches, trainCount, validationCount, metric, monitor);
        var history = new TrainingHistory(plan);

        // Everything the batch loop touches is allocated here.
        EnsureBuffers(batchSize, layout, trainCount);
        var evaluator = new Evaluator(model, layout);
        var shuffle = new Rng(Options.Seed);
        bool stopOnNonFinite = Options.NonFiniteLoss == NonFiniteLossPolicy.Stop;
        if (stopOnNonFinite)
        {
            model.Parameters.CopyTo(_parameterBackup);
        }

        float[]? bestParameters = null, bestState = null;
        if (early is { RestoreBestWeights: true })
        {
            bestParameters = new float[model.Parameters.Length];
            bestState = new float[model.State.Length];
        }

        ITrainingCallback[] callbacks = [.. Options.Callbacks];
        foreach (ITrainingCallback callback in callbacks)
        {
            callback.OnTrainingBegin(plan);
        }

        long runStart = Stopwatch.GetTimestamp();
        int epochsWithoutImprovement = 0;
        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            long epochStart = Stopwatch.GetTimestamp();
            float learningRate = Optimizer.CurrentLearningRate;
            var totals = RunEpoch(train, layout, trainCount, batchSize, epoch, shuffle, stopOnNonFinite, callbacks, history, cancellationToken);
            history.SkippedBatches += totals.Skipped;
            if (totals.Cancelled)
            {
                history.StopReason = StopReason.Cancelled;
                break;
            }

            double trainSeconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds;
            double? trainMetric = Options.EvaluateTrainingMetric && metric != MetricKind.None
                ? evaluator.Metric(train, 0, trainCount, metric)
                : null;
            double? validationLoss = null, validationMetric = null;
            if (validationData is not null)
            {
                validationLoss = evaluator.Loss(validationData, validationStart, validationCount);
                validationMetric = metric == MetricKind.None ? null : evaluator.Metric(validationData, validationStart, validationCount, metric);
            }

            double trainLoss = totals.Examples == 0 ? double.NaN : totals.LossSum / totals.Examples;
            double monitored = monitor switch
            {
                MonitoredValue.TrainLoss => trainLoss,
                MonitoredValue.TrainMetric => trainMetric ?? double.NaN,
                MonitoredValue.ValidationLoss => validationLoss ?? double.NaN,
                _ => validationMetric ?? double.NaN,
            };

            bool improved = double.IsFinite(monitored) && (history.BestEpoch == 0 || (higherIsBetter
                ? monitored > history.BestValue + minDelta
                : monitored < history.BestValue - minDelta));
            if (improved)
            {
                history.BestEpoch = epoch;
                history.BestValue = monitored;
                epochsWithoutImprovement = 0;
                if (bestParameters is not null && bestState is not null)
                {
                    model.Parameters.CopyTo(bestParameters);
                    model.State.CopyTo(bestState);
                }
            }
            else
            {
                epochsWithoutImprovement++;
            }

            var record = new EpochRecord
            {
                Epoch = epoch,
                TrainLoss = trainLoss,
                TrainMetric = trainMetric,
                ValidationLoss = validationLoss,
                ValidationMetric = validationMetric,
                LearningRate = learningRate,
                SkippedBatches = totals.Skipped,
                TrainSeconds = trainSeconds,
                Seconds = Stopwatch.GetElapsedTime(epochStart).TotalSeconds,
                ExamplesPerSecond = trainSeconds > 0 ? trainCount / trainSeconds : 0,
                Improved = improved,
            };
            history.Add(record);
            foreach (ITrainingCallback callback in callbacks)
            {
                callback.OnEpochEnd(record);
            }

            if (early is not null && epochsWithoutImprovement >= early.Patience)
            {
                history.StopReason = StopReason.EarlyStopped;
                break;
            }
        }

        if (bestParameters is not null && bestState is not null && history.BestEpoch > 0)
        {
            bestParameters.CopyTo(model.Parameters);
            bestState.CopyTo(model.State);
            history.RestoredBestWeights = true;
        }

        history.Seconds = Stopwatch.GetElapsedTime(runStart).TotalSeconds;
        foreach (ITrainingCallback callback in callbacks)
        {
            callback.OnTrainingEnd(history);
        }

        return history;
    }

    /// <summary>The model's inference-mode loss and metric on <paramref name="data"/>.</summary>
    /// <param name="data">The examples, laid out as for <see cref="Fit"/>.</param>
    /// <param name="metric">The metric; <see cref="MetricKind.Auto"/> (default) uses <see cref="TrainerOptions.Metric"/>, resolved from these targets if that is Auto too.</param>
    public EvaluationResult Evaluate(TrainingData data, MetricKind metric = MetricKind.Auto)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataLayout layout = DataLayout.Of(Model, data, nameof(data));
        if (metric == MetricKind.Auto)
        {
            metric = Options.Metric != MetricKind.Auto ? Options.Metric
                : Evaluator.IsOneHot(data, Model.OutputSize) ? MetricKind.Accuracy : MetricKind.Rmse;
        }

        var evaluator = new Evaluator(Model, layout);
        double loss = evaluator.Loss(data, 0, data.Count);
        double? value = metric == MetricKind.None ? null : evaluator.Metric(data, 0, data.Count, metric);
        return new EvaluationResult(loss, value, metric);
    }

    /// <summary>One pass over the training rows in (shuffled) mini-batches. Allocates nothing.</summary>
    private EpochTotals RunEpoch(
        TrainingData data,
        DataLayout layout,
        int count,
        int batchSize,
        int epoch,
        Rng shuffle,
        bool stopOnNonFinite,
        ITrainingCallback[] callbacks,
        TrainingHistory history,
        CancellationToken cancellationToken)
    {
        IModel model = Model;
        int inWidth = layout.InputWidth, outWidth = layout.TargetWidth;
        int[] order = _order;
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (Options.Shuffle)
        {
            shuffle.Shuffle(order);
        }

        var totals = default(EpochTotals);
        int batches = (count + batchSize - 1) / batchSize;
        long start = Stopwatch.GetTimestamp();
        for (int batch = 0; batch < batches; batch++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                totals.Cancelled = true;
                return totals;
            }

            int first = batch * batchSize, size = Math.Min(batchSize, count - first);
            for (int i = 0; i < size; i++)
            {
                int row = order[first + i];
                data.Inputs.AsSpan(row * inWidth, inWidth).CopyTo(_batchInputs.AsSpan(i * inWidth));
                data.Targets.AsSpan(row * outWidth, outWidth).CopyTo(_batchTargets.AsSpan(i * outWidth));
            }

            ReadOnlySpan<float> inputs = _batchInputs.AsSpan(0, size * inWidth);
            ReadOnlySpan<float> targets = _batchTargets.AsSpan(0, size * outWidth);

            // The training forward pass moves the state (batch-norm running statistics): keep it to undo a bad batch.
            model.State.CopyTo(_stateBackup);
            float loss = layout.Sequence is { } sequence
                ? sequence.ComputeGradients(inputs, targets, size, layout.Steps)
                : model.ComputeGradients(inputs, targets, size);

            bool lossFinite = float.IsFinite(loss);
            bool skipped = !lossFinite || !Evaluator.AllFinite(model.Gradients);
            if (!skipped)
            {
                if (stopOnNonFinite)
                {
                    // These weights just gave a finite loss: the ones to go back to if a later batch fails.
                    model.Parameters.CopyTo(_parameterBackup);
                }

                Optimizer.Step(model.Parameters, model.Gradients);
                totals.LossSum += (double)loss * size;
                totals.Examples += size;
            }
            else
            {
                _stateBackup.CopyTo(model.State);
                if (stopOnNonFinite)
                {
                    if (!lossFinite)
                    {
                        _parameterBackup.CopyTo(model.Parameters);
                    }

                    history.StopReason = StopReason.NonFiniteLoss;
                    history.SkippedBatches += totals.Skipped;
                    throw NonFinite(epoch, batch + 1, batches, loss, lossFinite, history);
                }

                totals.Skipped++;
            }

            var progress = new BatchProgress(epoch, batch + 1, batches, size, loss, skipped, Stopwatch.GetElapsedTime(start).TotalSeconds);
            foreach (ITrainingCallback callback in callbacks)
            {
                callback.OnBatchEnd(in progress);
            }
        }

        return totals;
    }

    private static TrainingException NonFinite(int epoch, int batch, int batches, float loss, bool lossFinite, TrainingHistory history)
    {
        string what = lossFinite
            ? string.Create(CultureInfo.InvariantCulture, $"a non-finite gradient (loss {loss})")
            : string.Create(CultureInfo.InvariantCulture, $"a non-finite loss ({loss})");
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"Training stopped at epoch {epoch}, batch {batch} of {batches}: {what}. The update was not applied and the model holds the last weights with a finite loss. " +
            $"Lower the learning rate, clip the gradients (Optimizer.ClipNorm), check the data for NaN or infinity, or set NonFiniteLoss = SkipBatch to skip such batches.");
        return new TrainingException(message, epoch, batch, loss, history);
    }

    private static MonitoredValue ResolveMonitor(MonitoredValue requested, bool hasValidation, MetricKind metric)
    {
        MonitoredValue monitor = requested == MonitoredValue.Auto
            ? (hasValidation ? MonitoredValue.ValidationLoss : MonitoredValue.TrainLoss)
            : requested;
        if (monitor is MonitoredValue.ValidationLoss or MonitoredValue.ValidationMetric && !hasValidation)
        {
            throw new ArgumentException($"EarlyStopping monitors {monitor}, but there is no validation set (give one or set ValidationSplit).");
        }

        if (monitor is MonitoredValue.TrainMetric or MonitoredValue.ValidationMetric && metric == MetricKind.None)
        {
            throw new ArgumentException($"EarlyStopping monitors {monitor}, but the metric is None.");
        }

        return monitor;
    }

    private void EnsureBuffers(int batchSize, DataLayout layout, int trainCount)
    {
        _batchInputs = Resize(_batchInputs, batchSize * layout.InputWidth);
        _batchTargets = Resize(_batchTargets, batchSize * layout.TargetWidth);
        _stateBackup = Resize(_stateBackup, Model.State.Length);
        _parameterBackup = Resize(_parameterBackup, Model.Parameters.Length);
        if (_order.Length != trainCount)
        {
            _order = new int[trainCount];
        }
    }

    private static float[] Resize(float[] buffer, int length) => buffer.Length == length ? buffer : new float[length];

    private struct EpochTotals
    {
        public double LossSum;
        public long Examples;
        public int Skipped;
        public bool Cancelled;
    }
}
