using ModelGen.Samples.Mlp;

namespace ModelGen.Samples;

/// <summary>One runnable sample: its command name, a one-line description and its entry point.</summary>
internal sealed record Sample(string Name, string Description, Func<SampleOptions, int> Run);

/// <summary>Every sample the dispatcher knows; adding a sample is one line here.</summary>
internal static class SampleRegistry
{
    public static readonly Sample[] All =
    [
        new("mlp", "Dense ReLU network classifying three interleaved 2-D spirals", MlpSample.Run),
    ];

    public static Sample? Find(string name) =>
        Array.Find(All, s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
