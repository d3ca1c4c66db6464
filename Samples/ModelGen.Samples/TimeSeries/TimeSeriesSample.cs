using System.Diagnostics;
using System.Globalization;
using ModelGen.Data;
using ModelGen.Optimizers;

namespace ModelGen.Samples.TimeSeries;

/// <summary>
/// The <c>timeseries</c> sample: rolling-window forecasting, predicting x_{t+1} from the last T = 48 observations
/// of a synthetic seasonal series with trend and noise (<see cref="SeriesData"/>). Splits the series in time order
/// (70% train, 10% validation, 20% test), standardizes it with the training mean and deviation, trains
/// <see cref="Forecaster"/> on shuffled windows, keeps the weights of the best validation epoch, and reports the
/// test RMSE in original units next to the naive last-value forecast on the same test targets.
/// </summary>
internal static class TimeSeriesSample
{
    public static readonly string[] Options = ["--noise"];

    public static readonly string OptionsUsage = string.Create(
        CultureInfo.InvariantCulture,
        $"  --noise STD   standard deviation of the series' Gaussian noise (default {SeriesData.DefaultNoise})");

    private const int SeriesLength = 4000;
    private const int Window = WindowTraining.Window;
    private const int BatchSize = Forecaster.MaxBatchSize;
    private const int DefaultEpochs = 30;
    private const float LearningRate = 3e-3f;
    private const float FinalRateFactor = 0.05f;

    public static int Run(SampleOptions options)
    {
        if (!options.TryGetNonNegative("--noise", SeriesData.DefaultNoise, out float noise, out string? error))
        {
            Console.Error.WriteLine($"error: {error}");
            return 2;
        }

        int epochs = options.Epochs ?? DefaultEpochs;
        ulong seed = unchecked((ulong)options.Seed);

        var data = SeriesData.Generate(SeriesLength, noise, seed);

        // Fit mean and deviation on the training points only and apply them unchanged to the whole series.
        var standardizer = Standardizer.Fit(data.Values.AsSpan(0, data.TrainEnd));
        float[] series = (float[])data.Values.Clone();
        standardizer.Transform(series);
        double scale = standardizer.StandardDeviation;

        // Training windows lie wholly in the training part; validation and test targets use the T observations
        // before them, which may reach back into the previous part (they are known at forecast time).
        int trainWindows = data.TrainEnd - Window;
        int validationTargets = data.ValidationEnd - data.TrainEnd;
        int testTargets = data.Length - data.ValidationEnd;

        var model = new Forecaster(options.Seed);
        Console.WriteLine(model.Summary());
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Data: {data.Length} points (noise std {noise}), {trainWindows} train windows / {validationTargets} validation / {testTargets} test targets, window {Window}; train mean {standardizer.Mean:F3}, std {standardizer.StandardDeviation:F3}"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Training: batch {BatchSize}, {epochs} epochs, Adam {LearningRate} decaying to {LearningRate * FinalRateFactor} (exponential), gradient norm clipped at 1"));

        // The rate decays 20x over the run: fast progress early, fine-tuning of the phase at the end.
        int stepsPerEpoch = (trainWindows + BatchSize - 1) / BatchSize;
        var optimizer = new Adam(LearningRate)
        {
            Schedule = new ExponentialDecay(FinalRateFactor, epochs * stepsPerEpoch),
            ClipNorm = 1f,
        };

        var training = new WindowTraining(trainWindows);
        var shuffle = new Rng(seed ^ 0x5DEECE66DUL);
        var best = new float[Forecaster.ParameterCount];
        double bestValidation = double.PositiveInfinity;
        int bestEpoch = 0;
        var stopwatch = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            float loss = training.RunEpoch(model, optimizer, series, shuffle);
            double validation = training.Rmse(model, series, data.TrainEnd, data.ValidationEnd) * scale;
            bool improved = validation < bestValidation;
            if (improved)
            {
                // Early stopping without stopping: remember the best weights, restore them after the last epoch.
                bestValidation = validation;
                bestEpoch = epoch;
                model.Parameters.CopyTo(best);
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {epoch,3}  loss {loss:F5}  val rmse {validation:F4}{(improved ? " *" : "  ")}  {stopwatch.Elapsed.TotalSeconds,6:F2}s"));
        }

        best.CopyTo(model.Parameters);
        double testRmse = training.Rmse(model, series, data.ValidationEnd, data.Length) * scale;
        double seconds = stopwatch.Elapsed.TotalSeconds;

        // The naive forecast on the raw values: the same test targets, original units, no standardization round trip.
        double naiveRmse = WindowTraining.NaiveRmse(data.Values, data.ValidationEnd, data.Length);
        double ratio = naiveRmse / testRmse;

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"best validation rmse {bestValidation:F4} at epoch {bestEpoch}; {seconds:F2}s"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"test rmse {testRmse:F4} vs naive last-value {naiveRmse:F4} ({testTargets} targets): {ratio:F2}x lower (noise std {noise} is the floor)"));

        if (options.JsonPath is { } path)
        {
            JsonResults.Write(path, json =>
            {
                json.WriteString("sample", "timeseries");
                json.WriteNumber("parameters", Forecaster.ParameterCount);
                json.WriteNumber("window", Window);
                json.WriteNumber("noise", Math.Round((double)noise, 6));
                json.WriteNumber("epochs", epochs);
                json.WriteNumber("best_epoch", bestEpoch);
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("validation_rmse", Math.Round(bestValidation, 6));
                json.WriteNumber("test_rmse", Math.Round(testRmse, 6));
                json.WriteNumber("naive_rmse", Math.Round(naiveRmse, 6));
                json.WriteNumber("naive_ratio", Math.Round(ratio, 4));
                json.WriteNumber("seconds", Math.Round(seconds, 3));
            });
        }

        return 0;
    }
}
