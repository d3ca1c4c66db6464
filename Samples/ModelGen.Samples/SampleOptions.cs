using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ModelGen.Samples;

/// <summary>The options every sample accepts. Unset values let the sample pick its own default.</summary>
internal sealed class SampleOptions
{
    public string? JsonPath { get; private init; }

    public int Seed { get; private init; }

    public int? Epochs { get; private init; }

    public const string Usage =
        "  --json FILE   also write the results to FILE as JSON\n" +
        "  --seed N      seed of the data, the weights and the shuffling (default 0)\n" +
        "  --epochs N    number of training epochs (default: per sample)";

    /// <summary>Parses <paramref name="args"/>; on failure returns false with a message for the user.</summary>
    public static bool TryParse(ReadOnlySpan<string> args, [NotNullWhen(true)] out SampleOptions? options, [NotNullWhen(false)] out string? error)
    {
        string? json = null;
        int seed = 0;
        int? epochs = null;
        options = null;

        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is not ("--json" or "--seed" or "--epochs"))
            {
                error = $"unknown option '{name}'";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                error = $"option '{name}' needs a value";
                return false;
            }

            string value = args[++i];
            switch (name)
            {
                case "--json":
                    json = value;
                    break;
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s):
                    seed = s;
                    break;
                case "--epochs" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int e) && e > 0:
                    epochs = e;
                    break;
                default:
                    error = $"option '{name}' needs {(name == "--seed" ? "an integer" : "a positive integer")}, got '{value}'";
                    return false;
            }
        }

        options = new SampleOptions { JsonPath = json, Seed = seed, Epochs = epochs };
        error = null;
        return true;
    }
}
