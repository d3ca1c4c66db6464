using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ModelGen.Samples;

/// <summary>The options every sample accepts. Unset values let the sample pick its own default.</summary>
internal sealed class SampleOptions
{
    public string? JsonPath { get; private init; }

    public int Seed { get; private init; }

    public int? Epochs { get; private init; }

    /// <summary>Values of the sample's own options (see <see cref="Sample.Options"/>), keyed by name with the dashes.</summary>
    public IReadOnlyDictionary<string, string> Extra { get; private init; } = new Dictionary<string, string>();

    /// <summary>
    /// The value of the sample's own option <paramref name="name"/> as a finite float ≥ 0, or
    /// <paramref name="fallback"/> where it was not given; false with a message where it is not such a number.
    /// </summary>
    public bool TryGetNonNegative(string name, float fallback, out float value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        value = fallback;
        if (!Extra.TryGetValue(name, out string? text))
        {
            return true;
        }

        if (float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value) && value >= 0)
        {
            return true;
        }

        error = $"option '{name}' needs a non-negative number, got '{text}'";
        return false;
    }

    public const string Usage =
        "  --json FILE   also write the results to FILE as JSON\n" +
        "  --seed N      seed of the data, the weights and the shuffling (default 0)\n" +
        "  --epochs N    number of training epochs (default: per sample)";

    /// <summary>
    /// Parses <paramref name="args"/>, accepting the shared options and the sample's own <paramref name="extraNames"/>;
    /// on failure returns false with a message for the user.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<string> args, ReadOnlySpan<string> extraNames, [NotNullWhen(true)] out SampleOptions? options, [NotNullWhen(false)] out string? error)
    {
        var extra = new Dictionary<string, string>();
        string? json = null;
        int seed = 0;
        int? epochs = null;
        options = null;

        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            bool isExtra = extraNames.Contains(name);
            if (!isExtra && name is not ("--json" or "--seed" or "--epochs"))
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
            if (isExtra)
            {
                extra[name] = value;
                continue;
            }

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

        options = new SampleOptions { JsonPath = json, Seed = seed, Epochs = epochs, Extra = extra };
        error = null;
        return true;
    }
}
