using System.Globalization;
using ModelGen.Optimizers;

namespace ModelGen.Samples.Shapes;

/// <summary>How one classifier is trained on the shapes data: its sample name, epochs and Adam schedule.</summary>
/// <param name="FinalRateFraction">The learning rate falls exponentially to this fraction of its start over the run.</param>
internal sealed record ShapesRecipe(string Name, int DefaultEpochs, float LearningRate, double FinalRateFraction);

/// <summary>
/// The run both image classifiers share: make the data, print the summary, train with Adam and an exponential
/// decay keeping the best validation epoch, report, and write the JSON results.
/// </summary>
internal static class ShapesRun
{
    /// <param name="describeInput">How the model reads an image, for the data line (empty for the CNN).</param>
    /// <param name="report">The closing line, given the noise and the test error.</param>
    public static int Run<TModel>(
        SampleOptions options,
        ShapesRecipe recipe,
        Func<int, TModel> create,
        string describeInput,
        Func<float, float, string> report)
        where TModel : IModel
    {
        if (!ShapesExperiment.TryGetNoise(options, out float noise))
        {
            return 2;
        }

        int epochs = options.Epochs ?? recipe.DefaultEpochs;
        ulong seed = unchecked((ulong)options.Seed);
        var data = ShapesExperiment.Prepare(noise, seed);

        var model = create(options.Seed);
        Console.WriteLine(model.Summary());
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Data: {data.Train.Count} train / {data.Validation.Count} validation / {data.Test.Count} test images, noise std {noise}{describeInput}; batch {model.MaxBatchSize}, {epochs} epochs, Adam {recipe.LearningRate}"));

        var optimizer = new Adam(recipe.LearningRate)
        {
            Schedule = new ExponentialDecay((float)Math.Pow(recipe.FinalRateFraction, 1.0 / epochs), ShapesExperiment.StepsPerEpoch(data, model.MaxBatchSize)),
        };
        var outcome = ShapesExperiment.Train(model, optimizer, data, epochs, seed);
        Console.WriteLine(report(noise, outcome.TestError));

        if (options.JsonPath is { } path)
        {
            JsonResults.Write(path, json =>
            {
                json.WriteString("sample", recipe.Name);
                json.WriteNumber("parameters", model.Parameters.Length);
                json.WriteNumber("noise", Math.Round((double)noise, 6));
                json.WriteNumber("test_error", Math.Round((double)outcome.TestError, 6));
                ShapesExperiment.WriteConfusion(json, outcome.Confusion);
                json.WriteNumber("epochs", epochs);
                json.WriteNumber("best_epoch", outcome.BestEpoch);
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("seconds", Math.Round(outcome.Seconds, 3));
            });
        }

        return 0;
    }
}
