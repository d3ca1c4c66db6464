using System.Diagnostics;
using System.Globalization;
using ModelGen.Training;
using Spectre.Console;

namespace ModelGen.Samples.Common;

/// <summary>
/// Shows a training run on the console: on a terminal, a live Spectre.Console bar for the current epoch with the
/// running loss and throughput, above which each finished epoch leaves one line; when the output is redirected or
/// the <c>CI</c> variable is set, only the plain per-epoch lines.
/// </summary>
internal sealed class ConsoleProgress : ITrainingCallback
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);

    private readonly bool _live;
    private TrainingPlan? _plan;
    private ProgressTask? _task;
    private double _lossSum;
    private long _examples;
    private long _lastRefresh;

    /// <summary>Creates the display; <paramref name="live"/> null picks the live bar only on an interactive terminal outside CI.</summary>
    public ConsoleProgress(bool? live = null) => _live = live ?? IsInteractive;

    /// <summary>True when stdout is a terminal and the <c>CI</c> environment variable is unset.</summary>
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Runs <paramref name="train"/> (a <c>Trainer.Fit</c> call with this object among its callbacks) inside the display.</summary>
    public TrainingHistory Run(Func<TrainingHistory> train)
    {
        if (!_live)
        {
            return train();
        }

        return AnsiConsole.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask("training", autoStart: true, maxValue: 1);
                try
                {
                    return train();
                }
                finally
                {
                    _task.StopTask();
                    _task = null;
                }
            });
    }

    public void OnTrainingBegin(TrainingPlan plan) => _plan = plan;

    public void OnBatchEnd(in BatchProgress batch)
    {
        if (batch.Batch == 1)
        {
            _lossSum = 0;
            _examples = 0;
        }

        if (!batch.Skipped)
        {
            _lossSum += (double)batch.Loss * batch.Size;
            _examples += batch.Size;
        }

        if (_task is null || _plan is null)
        {
            return;
        }

        // Redrawing the description allocates a string: do it a few times a second, not every batch.
        long now = Stopwatch.GetTimestamp();
        if (batch.Batch != batch.BatchesPerEpoch && Stopwatch.GetElapsedTime(_lastRefresh, now) < RefreshInterval)
        {
            return;
        }

        _lastRefresh = now;
        _task.MaxValue = batch.BatchesPerEpoch;
        _task.Value = batch.Batch;
        double throughput = batch.EpochSeconds > 0 ? (((batch.Batch - 1) * (double)_plan.BatchSize) + batch.Size) / batch.EpochSeconds : 0;
        _task.Description = string.Create(
            CultureInfo.InvariantCulture,
            $"epoch {batch.Epoch}/{_plan.Epochs}  loss {(_examples > 0 ? _lossSum / _examples : double.NaN):F4}  {FormatRate(throughput)}");
    }

    public void OnEpochEnd(EpochRecord epoch)
    {
        string line = Format(epoch);
        if (_task is not null)
        {
            // Spectre keeps the live bar below anything written while it runs.
            AnsiConsole.MarkupLine(Markup.Escape(line));
        }
        else
        {
            Console.WriteLine(line);
        }
    }

    public void OnTrainingEnd(TrainingHistory history)
    {
        string restored = history.RestoredBestWeights ? $"; restored the weights of epoch {history.BestEpoch}" : "";
        if (history.StopReason == StopReason.EarlyStopped)
        {
            Console.WriteLine($"early stopping after epoch {history.Epochs.Count}{restored}");
        }
        else if (history.StopReason == StopReason.Cancelled)
        {
            Console.WriteLine($"cancelled{restored}");
        }

        if (history.SkippedBatches > 0)
        {
            Console.WriteLine($"skipped {history.SkippedBatches} batches with a non-finite loss");
        }
    }

    /// <summary>One epoch as a plain line: losses, metrics, rate, throughput and time.</summary>
    public string Format(EpochRecord epoch)
    {
        MetricKind metric = _plan?.Metric ?? MetricKind.None;
        var line = new System.Text.StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"epoch {epoch.Epoch,3}  loss {epoch.TrainLoss:F4}");
        if (epoch.TrainMetric is { } trainMetric)
        {
            line.Append("  train ").Append(FormatMetric(metric, trainMetric));
        }

        if (epoch.ValidationLoss is { } validationLoss)
        {
            line.Append(CultureInfo.InvariantCulture, $"  val loss {validationLoss:F4}");
        }

        if (epoch.ValidationMetric is { } validationMetric)
        {
            line.Append("  val ").Append(FormatMetric(metric, validationMetric));
        }

        line.Append(CultureInfo.InvariantCulture, $"  lr {epoch.LearningRate.ToString("0.00e0", CultureInfo.InvariantCulture)}  {FormatRate(epoch.ExamplesPerSecond)}  {epoch.Seconds,5:F2}s");
        if (epoch.SkippedBatches > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $"  skipped {epoch.SkippedBatches}");
        }

        return line.ToString();
    }

    private static string FormatMetric(MetricKind metric, double value) => metric == MetricKind.Accuracy
        ? string.Create(CultureInfo.InvariantCulture, $"acc {value * 100,6:F2}%")
        : string.Create(CultureInfo.InvariantCulture, $"rmse {value:F4}");

    private static string FormatRate(double examplesPerSecond) => examplesPerSecond >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{examplesPerSecond / 1000,6:F1}k ex/s")
        : string.Create(CultureInfo.InvariantCulture, $"{examplesPerSecond,6:F0} ex/s");
}
