using ModelGen.Training;
using ScottPlot;

namespace ModelGen.Samples.Common;

/// <summary>Draws a training history's loss curves (left axis) and metric curves (right axis) with ScottPlot.</summary>
internal static class CurvePlot
{
    /// <summary>
    /// Writes the curves of <paramref name="history"/> to <paramref name="path"/>: SVG when it ends in <c>.svg</c>,
    /// otherwise PNG. Returns the full path written.
    /// </summary>
    public static string Save(TrainingHistory history, string path, string title, int width = 900, int height = 540)
    {
        IReadOnlyList<EpochRecord> epochs = history.Epochs;
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();

        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("loss");

        AddLine(plot, x, epochs.Select(e => e.TrainLoss), "train loss", Colors.Blue, right: false);
        AddLine(plot, x, epochs.Select(e => e.ValidationLoss), "validation loss", Colors.Orange, right: false);

        string metric = history.Metric == MetricKind.Accuracy ? "accuracy" : "RMSE";
        bool anyMetric = AddLine(plot, x, epochs.Select(e => e.TrainMetric), $"train {metric}", Colors.Green, right: true)
            | AddLine(plot, x, epochs.Select(e => e.ValidationMetric), $"validation {metric}", Colors.Red, right: true);
        if (anyMetric)
        {
            plot.Axes.Right.Label.Text = metric;
        }

        if (history.BestEpoch > 0)
        {
            var best = plot.Add.VerticalLine(history.BestEpoch, color: Colors.Gray, pattern: LinePattern.Dashed);
            best.LegendText = $"best epoch ({history.BestEpoch})";
        }

        plot.ShowLegend(Alignment.MiddleRight);

        string fullPath = Path.GetFullPath(path);
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        if (fullPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
        {
            plot.SaveSvg(fullPath, width, height);
        }
        else
        {
            plot.SavePng(fullPath, width, height);
        }

        return fullPath;
    }

    private static bool AddLine(Plot plot, double[] x, IEnumerable<double?> values, string label, Color color, bool right)
    {
        double?[] y = values.ToArray();
        if (y.Length == 0 || y.Any(v => v is null))
        {
            return false;
        }

        var line = plot.Add.Scatter(x, y.Select(v => v!.Value).ToArray(), color);
        line.LegendText = label;
        line.MarkerSize = x.Length > 60 ? 0 : 4;
        if (right)
        {
            line.Axes.YAxis = plot.Axes.Right;
        }

        return true;
    }

    private static bool AddLine(Plot plot, double[] x, IEnumerable<double> values, string label, Color color, bool right) =>
        AddLine(plot, x, values.Select(v => (double?)v), label, color, right);
}
