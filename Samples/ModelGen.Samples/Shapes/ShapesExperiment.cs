using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ModelGen.Data;
using ModelGen.Optimizers;

namespace ModelGen.Samples.Shapes;

/// <summary>The shapes data of one run: standardized train, validation and test images and the noise they were drawn with.</summary>
internal sealed record ShapesData(ShapesDataset Train, ShapesDataset Validation, ShapesDataset Test, float Noise);

/// <summary>The outcome of <see cref="ShapesExperiment.Train"/>: the best validation epoch and the test figures of its weights.</summary>
internal sealed record ShapesOutcome(float BestAccuracy, int BestEpoch, float TestError, int[,] Confusion, double Seconds);

/// <summary>
/// What the image classifiers on the shapes data share (the CNN of <c>shapes</c>, the RNN of <c>shapes-rnn</c>):
/// the <c>--noise</c> option, the data and its splits, the training loop that keeps the best validation epoch,
/// and the confusion matrix.
/// </summary>
internal static class ShapesExperiment
{
    public static readonly string[] Options = ["--noise"];

    public static readonly string OptionsUsage = string.Create(
        CultureInfo.InvariantCulture,
        $"  --noise STD   standard deviation of the pixel noise (default {ShapesDataset.ReferenceNoise}, the reference level)");

    private const int TotalImages = 3000;
    private const int TrainImages = 2000;
    private const double ValidationFraction = 0.2;

    /// <summary>Reads <c>--noise</c> (default <see cref="ShapesDataset.ReferenceNoise"/>); false after printing the error.</summary>
    public static bool TryGetNoise(SampleOptions options, out float noise)
    {
        if (options.TryGetNonNegative("--noise", ShapesDataset.ReferenceNoise, out noise, out string? error))
        {
            return true;
        }

        Console.Error.WriteLine($"error: {error}");
        return false;
    }

    /// <summary>
    /// 3000 images: the first 2000 for training, of which 20% are held out for validation, and 1000 for testing,
    /// standardized with one mean and deviation over every training pixel.
    /// </summary>
    public static ShapesData Prepare(float noise, ulong seed)
    {
        // Labels are drawn independently per image, so the first 2000 images are a fair training sample.
        var all = ShapesDataset.Generate(TotalImages, noise, seed);
        var trainAll = all.Slice(0, TrainImages);
        var test = all.Slice(TrainImages, TotalImages - TrainImages);

        // One mean and deviation over every training pixel, applied unchanged to the test images.
        var standardizer = Standardizer.Fit(trainAll.Images);
        standardizer.Transform(trainAll.Images);
        standardizer.Transform(test.Images);
        var (train, validation) = trainAll.Split(ValidationFraction, seed ^ 0x2545F4914F6CDD1DUL);
        return new ShapesData(train, validation, test, noise);
    }

    /// <summary>Steps per epoch of <paramref name="data"/>'s training set in batches of <paramref name="batch"/>.</summary>
    public static int StepsPerEpoch(ShapesData data, int batch) => (data.Train.Count + batch - 1) / batch;

    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs, every training image under a random symmetry
    /// of the square, printing the loss and validation accuracy of each; then restores the weights of the best validation
    /// epoch and evaluates them on the test images.
    /// </summary>
    public static ShapesOutcome Train<TModel>(TModel model, Optimizer optimizer, ShapesData data, int epochs, ulong seed)
        where TModel : IModel
    {
        var train = data.Train;
        float[] trainTargets = train.OneHot();
        var training = new ShapesTraining<TModel>(model, train.PixelsPerImage, train.Count);
        var shuffle = new Rng(seed ^ 0x5DEECE66DUL);
        var augment = new Rng(seed ^ 0x9E3779B97F4A7C15UL);
        var best = new float[model.Parameters.Length];
        float bestAccuracy = -1;
        int bestEpoch = 0;
        var stopwatch = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            float loss = training.RunEpoch(model, optimizer, train, trainTargets, shuffle, augment);
            float accuracy = training.Evaluate(model, data.Validation);
            // Ties go to the later epoch: validation accuracy saturates (400 images), and later weights are better trained.
            bool improved = accuracy >= bestAccuracy;
            if (improved)
            {
                // Early stopping without stopping: remember the best weights, restore them after the last epoch.
                bestAccuracy = accuracy;
                bestEpoch = epoch;
                model.Parameters.CopyTo(best);
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {epoch,3}  loss {loss:F4}  val acc {accuracy * 100,6:F2}%{(improved ? " *" : "  ")}  {stopwatch.Elapsed.TotalSeconds,6:F2}s"));
        }

        best.CopyTo(model.Parameters);
        var confusion = new int[ShapesDataset.Classes, ShapesDataset.Classes];
        float testError = 1 - training.Evaluate(model, data.Test, confusion);
        double seconds = stopwatch.Elapsed.TotalSeconds;

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"best validation accuracy {bestAccuracy * 100:F2}% at epoch {bestEpoch}; test error {testError * 100:F2}% ({data.Test.Count} images), {seconds:F2}s"));
        PrintConfusion(confusion);
        return new ShapesOutcome(bestAccuracy, bestEpoch, testError, confusion, seconds);
    }

    /// <summary>Writes the confusion matrix as the JSON array property <c>confusion</c> (rows: true class).</summary>
    public static void WriteConfusion(Utf8JsonWriter json, int[,] confusion)
    {
        json.WriteStartArray("confusion");
        for (int actual = 0; actual < ShapesDataset.Classes; actual++)
        {
            json.WriteStartArray();
            for (int predicted = 0; predicted < ShapesDataset.Classes; predicted++)
            {
                json.WriteNumberValue(confusion[actual, predicted]);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
    }

    private static void PrintConfusion(int[,] confusion)
    {
        Console.WriteLine("confusion (rows: true class, columns: predicted)");
        Console.Write($"{"",-10}");
        foreach (string name in ShapesDataset.ClassNames)
        {
            Console.Write($"{name,10}");
        }

        Console.WriteLine();
        for (int actual = 0; actual < ShapesDataset.Classes; actual++)
        {
            Console.Write($"{ShapesDataset.ClassNames[actual],-10}");
            for (int predicted = 0; predicted < ShapesDataset.Classes; predicted++)
            {
                Console.Write($"{confusion[actual, predicted],10}");
            }

            Console.WriteLine();
        }
    }
}
