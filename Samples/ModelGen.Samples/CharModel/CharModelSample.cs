using System.Diagnostics;
using System.Globalization;
using System.Text;
using ModelGen.Optimizers;
using ModelGen.Samples.Common;

namespace ModelGen.Samples.CharModel;

/// <summary>
/// The <c>charmodel</c> sample: trains <see cref="CharNet"/> on a generated English text with stateful truncated
/// BPTT, reports the validation bits per character next to a unigram baseline, and samples new text.
/// </summary>
internal static class CharModelSample
{
    public static readonly string[] Options = ["--temperature"];

    public static readonly string OptionsUsage =
        "  --temperature T   sampling temperature (default 0.8; 0 picks the most likely character)";

    private const int TextLength = 160_000;
    private const ulong TextSeed = 1859;
    private const double TrainFraction = 0.9;
    private const int DefaultEpochs = 8;
    private const float LearningRate = 2e-3f;
    private const float DefaultTemperature = 0.8f;
    private const string Prime = "the old sailor ";
    private const int SampleLength = 300;

    public static int Run(SampleOptions options)
    {
        if (!options.TryGetNonNegative("--temperature", DefaultTemperature, out float temperature, out string? error))
        {
            Console.Error.WriteLine($"error: {error}");
            return 2;
        }

        int epochs = options.Epochs ?? DefaultEpochs;
        string text = CharCorpus.Generate(TextLength, TextSeed);
        byte[] ids = CharVocabulary.Encode(text);
        int trainLength = (int)(ids.Length * TrainFraction);
        byte[] train = ids[..trainLength], validation = ids[trainLength..];

        var model = new CharNet(options.Seed);
        Console.WriteLine(model.Summary());
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Text: {text.Length:N0} generated characters, {text.Distinct().Count()} distinct (vocabulary {CharVocabulary.Size}); {train.Length:N0} train / {validation.Length:N0} validation"));
        Console.WriteLine($"  \"{text[..text.IndexOf('.', 80)]}. ...\"");
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Training: {CharNet.MaxBatchSize} streams, chunks of {CharNet.MaxSequenceLength} steps with the state carried over, {epochs} epochs, Adam {LearningRate}, clip norm 5"));

        var optimizer = new Adam(LearningRate) { ClipNorm = 5 };
        var training = new CharTraining();
        var stopwatch = Stopwatch.StartNew();
        double trainLoss = double.NaN;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            trainLoss = training.RunEpoch(model, optimizer, train);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"epoch {epoch,3}  loss {trainLoss:F4}  ({trainLoss / Math.Log(2):F3} bpc)  {stopwatch.Elapsed.TotalSeconds,6:F2}s"));
        }

        double validationBpc = training.Evaluate(model, validation) / Math.Log(2);
        double unigramBpc = UnigramBitsPerChar(train, validation);
        double ratio = validationBpc / unigramBpc;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"validation {validationBpc:F4} bits/char; unigram baseline {unigramBpc:F4} bits/char; ratio {ratio:F3} (goal <= 0.8: {(ratio <= 0.8 ? "met" : "not met")})"));

        string sample = Generate(model, temperature, new Rng(unchecked((ulong)options.Seed) ^ 0x5DEECE66DUL));
        double seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sample (temperature {temperature}):"));
        Console.WriteLine(sample);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{seconds:F2}s"));

        if (options.JsonPath is { } path)
        {
            JsonResults.Write(path, json =>
            {
                json.WriteString("sample", "charmodel");
                json.WriteNumber("parameters", CharNet.ParameterCount);
                json.WriteNumber("epochs", epochs);
                json.WriteNumber("train_loss", Math.Round(trainLoss, 6));
                json.WriteNumber("val_bits_per_char", Math.Round(validationBpc, 6));
                json.WriteNumber("unigram_bits_per_char", Math.Round(unigramBpc, 6));
                json.WriteNumber("temperature", Math.Round((double)temperature, 6));
                json.WriteString("sample_text", sample); // "sample" already names the sample
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("seconds", Math.Round(seconds, 3));
            });
        }

        return 0;
    }

    /// <summary>
    /// Cross-entropy in bits of the validation characters (those the model predicts: all but the first) under the
    /// training text's character frequencies with add-one smoothing.
    /// </summary>
    private static double UnigramBitsPerChar(ReadOnlySpan<byte> train, ReadOnlySpan<byte> validation)
    {
        Span<int> counts = stackalloc int[CharVocabulary.Size];
        foreach (byte id in train)
        {
            counts[id]++;
        }

        double bits = 0;
        foreach (byte id in validation[1..])
        {
            bits -= Math.Log2((counts[id] + 1.0) / (train.Length + CharVocabulary.Size));
        }

        return bits / (validation.Length - 1);
    }

    /// <summary>Primes the model with <see cref="Prime"/> one step at a time, then feeds back its own samples.</summary>
    private static string Generate(CharNet model, float temperature, Rng rng)
    {
        var result = new StringBuilder(Prime, Prime.Length + SampleLength);
        Span<float> input = stackalloc float[CharNet.InputSize];
        Span<float> probabilities = stackalloc float[CharNet.OutputSize];
        model.ResetState();
        foreach (byte id in CharVocabulary.Encode(Prime))
        {
            input[0] = id;
            model.Step(input, probabilities);
        }

        for (int i = 0; i < SampleLength; i++)
        {
            int next = TemperatureSampling.Sample(probabilities, temperature, rng);
            result.Append(CharVocabulary.Decode(next));
            input[0] = next;
            model.Step(input, probabilities);
        }

        return result.ToString();
    }
}
