using ModelGen.Samples.CharModel;
using ModelGen.Samples.Mlp;
using ModelGen.Samples.Seq2Seq;
using ModelGen.Samples.Shapes;
using ModelGen.Samples.ShapesRnn;
using ModelGen.Samples.TimeSeries;

namespace ModelGen.Samples;

/// <summary>
/// One runnable sample: its command name, a one-line description, its entry point and, optionally, the
/// names of its own options (each taking a value) with their usage lines.
/// </summary>
internal sealed record Sample(string Name, string Description, Func<SampleOptions, int> Run, string[]? Options = null, string? OptionsUsage = null);

/// <summary>Every sample the dispatcher knows; adding a sample is one line here.</summary>
internal static class SampleRegistry
{
    public static readonly Sample[] All =
    [
        new("mlp", "Dense ReLU network classifying three interleaved 2-D spirals", MlpSample.Run, MlpSample.Options, MlpSample.OptionsUsage),
        new("shapes", "CNN telling noisy 20x20 rectangles, circles and lines apart", ShapesSample.Run, ShapesSample.Options, ShapesSample.OptionsUsage),
        new("shapes-rnn", "LSTM reading the shapes images row by row (20 steps of 20 pixels)", ShapesRnnSample.Run, ShapesRnnSample.Options, ShapesRnnSample.OptionsUsage),
        new("timeseries", "LSTM forecasting the next value of a noisy seasonal series from the last 48", TimeSeriesSample.Run, TimeSeriesSample.Options, TimeSeriesSample.OptionsUsage),
        new("seq2seq", "LSTM encoder-decoder learning to reverse digit strings, decoded greedily", Seq2SeqSample.Run),
        new("charmodel", "Two stacked GRUs learning generated English text character by character", CharModelSample.Run, CharModelSample.Options, CharModelSample.OptionsUsage),
    ];

    public static Sample? Find(string name) =>
        Array.Find(All, s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
