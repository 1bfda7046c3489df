using SharpTune.IO;
using SharpTune.Training;

namespace SharpTune.Reporting;

/// <summary>Loss against learning rate (log axis) of an LR range test, with the suggestions marked.</summary>
public static class LrFinderPlot
{
    /// <summary>Writes the plot to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, LrFinderResult result, string title)
    {
        var plot = new ScottPlot.Plot();
        var x = result.LearningRates.Select(Math.Log10).ToArray();
        var raw = plot.Add.Scatter(x, result.Losses.ToArray());
        raw.LegendText = "loss";
        raw.MarkerSize = 3;
        raw.LineWidth = 0;
        var smooth = plot.Add.Scatter(x, result.Smoothed.ToArray());
        smooth.LegendText = "smoothed loss";
        smooth.MarkerSize = 0;
        smooth.LineWidth = 2;
        foreach (var (name, lr, colour) in new[] { ("valley", result.Valley, ScottPlot.Colors.Red), ("steepest", result.Steepest, ScottPlot.Colors.Green) })
        {
            var line = plot.Add.VerticalLine(Math.Log10(lr));
            line.Color = colour;
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.LegendText = $"{name} {lr:0.##e+0}";
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => $"1e{v:0}",
            IntegerTicksOnly = true,
        };
        double top = result.Smoothed.Take(Math.Max(1, result.Smoothed.Count * 9 / 10)).Max();
        plot.Axes.SetLimitsY(0, top * 1.3);
        plot.Title(title);
        plot.XLabel("learning rate");
        plot.YLabel("training loss");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        var bytes = plot.GetImageBytes(720, 480, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(bytes, 0, bytes.Length));
    }
}
