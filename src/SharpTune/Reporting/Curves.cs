using SharpTune.IO;
using SharpTune.Training;

namespace SharpTune.Reporting;

/// <summary>One line of a curves plot.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Epochs">X values.</param>
/// <param name="Values">Y values.</param>
/// <param name="Dashed">Dashed line (e.g. for a second run).</param>
public sealed record CurveSeries(string Label, IReadOnlyList<double> Epochs, IReadOnlyList<double> Values, bool Dashed = false);

/// <summary>Training curves as PNG (ScottPlot), like d2l's plot: train loss, train accuracy, test accuracy per epoch.</summary>
public static class Curves
{
    /// <summary>The curves of one run.</summary>
    public static IReadOnlyList<CurveSeries> ForRun(IReadOnlyList<EpochMetrics> metrics, string prefix = "", bool dashed = false)
    {
        var x = metrics.Select(m => (double)m.Epoch).ToList();
        return
        [
            new(prefix + "train loss", x, metrics.Select(m => m.TrainLoss).ToList(), dashed),
            new(prefix + "train acc", x, metrics.Select(m => m.TrainAcc).ToList(), dashed),
            new(prefix + "test acc", x, metrics.Select(m => m.TestAcc).ToList(), dashed),
        ];
    }

    /// <summary>Writes a PNG of <paramref name="series"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, string title, IReadOnlyList<CurveSeries> series, int width = 720, int height = 480)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int colour = 0;
        foreach (var s in series)
        {
            var line = plot.Add.Scatter(s.Epochs.ToArray(), s.Values.ToArray());
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.MarkerSize = 6;
            line.Color = palette.GetColor(colour++ % 3); // same metric, same colour; a second run is dashed
            if (s.Dashed) line.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.Axes.SetLimitsY(0, Math.Max(1.0, series.SelectMany(s => s.Values).Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.05));
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        var bytes = plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes, 0, bytes.Length));
    }
}
