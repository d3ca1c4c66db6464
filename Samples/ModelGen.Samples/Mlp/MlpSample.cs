using System.Globalization;
using ModelGen.Optimizers;
using ModelGen.Samples.Common;
using ModelGen.Training;

namespace ModelGen.Samples.Mlp;

/// <summary>The <c>mlp</c> sample: trains <see cref="SpiralNet"/> on three spirals and reports test accuracy.</summary>
internal static class MlpSample
{
    public static readonly string[] Options = ["--plot"];

    public const string OptionsUsage =
        "  --plot FILE   write the loss and accuracy curves to FILE (.svg for SVG, otherwise PNG)";

    private const int TotalPoints = 3000;
    private const int TrainPoints = 2000;
    private const int Classes = 3;
    private const int DefaultEpochs = 40;
    private const int BatchSize = SpiralNet.MaxBatchSize;

    public static int Run(SampleOptions options)
    {
        int epochs = options.Epochs ?? DefaultEpochs;
        ulong seed = unchecked((ulong)options.Seed);

        // Generate returns the points in random order, so the split needs no further shuffling.
        var all = SpiralData.Generate(TotalPoints, Classes, seed);
        var train = all.Slice(0, TrainPoints);
        var test = all.Slice(TrainPoints, TotalPoints - TrainPoints);

        var model = new SpiralNet(options.Seed);
        Console.WriteLine(model.Summary());
        Console.WriteLine($"Data: {train.Count} train / {test.Count} test points, {Classes} spirals; batch {BatchSize}, {epochs} epochs");

        // The rate decays 100x over the run: fast progress early, fine boundaries at the end.
        int stepsPerEpoch = (train.Count + BatchSize - 1) / BatchSize;
        var optimizer = new Adam(learningRate: 0.01f)
        {
            Schedule = new ExponentialDecay(gamma: 0.01f, decaySteps: epochs * stepsPerEpoch),
        };

        var progress = new ConsoleProgress();
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            Epochs = epochs,
            BatchSize = BatchSize,
            Seed = seed ^ 0x5DEECE66DUL,
            EvaluateTrainingMetric = true,
            Callbacks = [progress],
        });
        TrainingHistory history = progress.Run(() => trainer.Fit(new TrainingData(train.Inputs, train.Targets, train.Count)));

        float trainLoss = (float)(history.Last?.TrainLoss ?? double.NaN);
        float testAccuracy = (float)(trainer.Evaluate(new TrainingData(test.Inputs, test.Targets, test.Count), MetricKind.Accuracy).Metric ?? 0);
        double seconds = history.Seconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {testAccuracy * 100:F2}% ({test.Count} points), {seconds:F2}s"));
        Serve(model, test);

        if (options.Extra.TryGetValue("--plot", out string? plotPath))
        {
            Console.WriteLine($"curves written to {CurvePlot.Save(history, plotPath, "mlp: three spirals")}");
        }

        if (options.JsonPath is { } path)
        {
            JsonResults.Write(path, json =>
            {
                json.WriteString("sample", "mlp");
                json.WriteNumber("parameters", SpiralNet.ParameterCount);
                json.WriteNumber("epochs", epochs);
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("train_loss", Math.Round(trainLoss, 6));
                json.WriteNumber("test_accuracy", Math.Round(testAccuracy, 6));
                json.WriteNumber("seconds", Math.Round(seconds, 3));
            });
        }

        return 0;
    }

    /// <summary>
    /// Serving: an inference-only copy of the trained model (its dense weights packed for one example at a time)
    /// classifies the test points one by one, as an app would.
    /// </summary>
    private static void Serve(SpiralNet model, SpiralData test)
    {
        var predictor = model.CreatePredictor();
        var probabilities = new float[Classes];
        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            predictor.Forward(test.Inputs.AsSpan(i * SpiralNet.InputSize, SpiralNet.InputSize), probabilities);
            correct += Batching.ArgMax(probabilities) == Batching.ArgMax(test.Targets.AsSpan(i * Classes, Classes)) ? 1 : 0;
        }

        // Speed is measured by the bench (Samples/ModelGen.Bench), not here: a first pass still runs unoptimized code.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predictor, one example at a time: {100.0 * correct / test.Count:F2}% correct"));
    }
}
