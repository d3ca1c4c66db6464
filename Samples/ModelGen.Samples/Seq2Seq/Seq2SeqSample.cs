using System.Diagnostics;
using System.Globalization;
using ModelGen.Optimizers;

namespace ModelGen.Samples.Seq2Seq;

/// <summary>
/// The <c>seq2seq</c> sample: <see cref="DigitReverser"/> learns to reverse digit strings of 3–8 digits with teacher
/// forcing, then decodes greedily (its own predictions fed back, stopping at the end token) on held-out strings: 1,200
/// of the trained lengths that never occur in training, and 400 longer ones (9 and 10 digits, never trained). Prints a
/// few input → output pairs and the exact-match accuracy of each set.
/// </summary>
internal static class Seq2SeqSample
{
    private const int ShortestTrained = 3;
    private const int LongestTrained = 8;
    private const int BatchSize = DigitReverser.MaxBatchSize;
    private const int StepsPerEpoch = 200;
    private const int DefaultEpochs = 20;
    private const int TestPerLength = 200;
    private const float LearningRate = 2e-3f;

    public static int Run(SampleOptions options)
    {
        var epochs = options.Epochs ?? DefaultEpochs;
        var seed = unchecked((ulong)options.Seed);
        var data = new Rng(seed ^ 0x2545F4914F6CDD1DUL);

        // Held-out strings first; training never draws one of them.
        var heldOut = new HashSet<string>();
        var test = Strings(data, ShortestTrained, LongestTrained, heldOut);
        var longer = Strings(data, LongestTrained + 1, DigitTask.MaxLength, heldOut);

        var model = new DigitReverser(options.Seed);
        Console.WriteLine(model.Summary());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Task: reverse digit strings; training on fresh random strings of {ShortestTrained}-{LongestTrained} digits ({test.Count} held out), testing also on {longer.Count} of {LongestTrained + 1}-{DigitTask.MaxLength} digits (never trained)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training: batch {BatchSize}, {epochs} epochs of {StepsPerEpoch} steps, Adam {LearningRate} decaying 10x, gradient norm clipped at 1, teacher forcing"));

        var optimizer = new Adam(LearningRate)
        {
            Schedule = new ExponentialDecay(0.1f, epochs * StepsPerEpoch),
            ClipNorm = 1f,
        };
        var inputs = new float[BatchSize * DigitTask.MaxLength * DigitTask.Digits];
        var decoderInputs = new float[BatchSize * (DigitTask.MaxLength + 1) * DigitTask.Vocabulary];
        var targets = new float[decoderInputs.Length];
        var batch = new List<int[]>(BatchSize);
        var stopwatch = Stopwatch.StartNew();
        var accuracy = 0.0;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            double loss = 0;
            for (var step = 0; step < StepsPerEpoch; step++)
            {
                var length = ShortestTrained + data.NextInt(LongestTrained - ShortestTrained + 1);
                batch.Clear();
                while (batch.Count < BatchSize)
                {
                    var digits = DigitTask.RandomString(data, length);
                    if (!heldOut.Contains(DigitTask.Text(digits)))
                    {
                        batch.Add(digits);
                    }
                }

                DigitTask.FillInputs(batch, inputs);
                DigitTask.FillTeacher(batch, decoderInputs, targets);
                loss += model.TrainStep(inputs.AsSpan(0, BatchSize * length * DigitTask.Digits), decoderInputs.AsSpan(0, BatchSize * (length + 1) * DigitTask.Vocabulary),
                    targets.AsSpan(0, BatchSize * (length + 1) * DigitTask.Vocabulary), BatchSize, length, length + 1, optimizer);
            }

            accuracy = ExactMatch(model, test, examples: null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch,3}  loss {loss / StepsPerEpoch:F4}  held-out exact match {accuracy:P1}  {stopwatch.Elapsed.TotalSeconds,6:F1}s"));
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        var examples = new List<string>();
        var longerAccuracy = ExactMatch(model, longer, examples);
        ExactMatch(model, test, examples);
        Console.WriteLine("Greedy decoding (input -> output, ^ start, $ end):");
        foreach (var line in examples)
        {
            Console.WriteLine("  " + line);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exact match on held-out strings of trained lengths ({ShortestTrained}-{LongestTrained}): {accuracy:P2} of {test.Count}; on longer strings ({LongestTrained + 1}-{DigitTask.MaxLength}): {longerAccuracy:P2} of {longer.Count}; {seconds:F1}s training"));

        if (options.JsonPath is { } path)
        {
            JsonResults.Write(path, json =>
            {
                json.WriteString("sample", "seq2seq");
                json.WriteString("task", "reverse");
                json.WriteNumber("parameters", DigitReverser.ParameterCount);
                json.WriteNumber("epochs", epochs);
                json.WriteNumber("seed", options.Seed);
                json.WriteNumber("exact_match", Math.Round(accuracy, 6));
                json.WriteNumber("exact_match_longer", Math.Round(longerAccuracy, 6));
                json.WriteNumber("seconds", Math.Round(seconds, 3));
            });
        }

        return 0;
    }

    /// <summary><see cref="TestPerLength"/> distinct random strings of each length, recorded in <paramref name="heldOut"/>.</summary>
    private static List<int[]> Strings(Rng rng, int shortest, int longest, HashSet<string> heldOut)
    {
        var strings = new List<int[]>();
        for (var length = shortest; length <= longest; length++)
        {
            for (var count = 0; count < TestPerLength;)
            {
                var digits = DigitTask.RandomString(rng, length);
                if (heldOut.Add(DigitTask.Text(digits)))
                {
                    strings.Add(digits);
                    count++;
                }
            }
        }

        return strings;
    }

    /// <summary>The fraction of strings whose greedy decoding is exactly the reversed string; adds a few examples to <paramref name="examples"/>.</summary>
    private static double ExactMatch(DigitReverser model, List<int[]> strings, List<string>? examples)
    {
        var inputs = new float[BatchSize * DigitTask.MaxLength * DigitTask.Digits];
        var maxLength = DigitTask.MaxLength + 2;
        var tokens = new int[BatchSize * maxLength];
        var lengths = new int[BatchSize];
        var correct = 0;
        foreach (var group in strings.GroupBy(s => s.Length))
        {
            var shown = 0;
            foreach (var chunk in group.Chunk(BatchSize))
            {
                var length = group.Key;
                DigitTask.FillInputs(chunk, inputs);
                model.Decode(inputs.AsSpan(0, chunk.Length * length * DigitTask.Digits), tokens.AsSpan(0, chunk.Length * maxLength), lengths.AsSpan(0, chunk.Length), chunk.Length, length, DigitTask.Start, DigitTask.End);
                for (var b = 0; b < chunk.Length; b++)
                {
                    var output = tokens.AsSpan(b * maxLength, lengths[b]);
                    var right = output.SequenceEqual(DigitTask.Answer(chunk[b]));
                    correct += right ? 1 : 0;
                    if (examples is not null && shown < 2 && (length % 3 == 0 || length > LongestTrained))
                    {
                        examples.Add(DigitTask.Text(chunk[b]).PadLeft(DigitTask.MaxLength) + " -> " + DigitTask.Text(tokens.AsSpan(b * maxLength, Math.Min(lengths[b] + 1, maxLength))).PadRight(DigitTask.MaxLength + 1) + (right ? "  ok" : "  WRONG"));
                        shown++;
                    }
                }
            }
        }

        return (double)correct / strings.Count;
    }
}
