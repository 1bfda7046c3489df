using SharpTune.IO;
using SkiaSharp;

namespace SharpTune.Reporting;

/// <summary>Draws a confusion matrix as a PNG: rows are true classes, columns predictions, cells shaded by row share.</summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Writes the matrix of <paramref name="report"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(string path, ClassificationReport report, string title)
    {
        int n = report.Classes.Count;
        const int cell = 56, margin = 16;
        using var font = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans"), 13);
        using var small = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans"), 11);
        float labelWidth = report.Classes.Max(c => font.MeasureText(c)) + 12;
        int left = margin + (int)labelWidth, top = margin + 48;
        int width = left + n * cell + margin, height = top + n * cell + 40 + margin;
        width = Math.Max(width, (int)font.MeasureText(title) + 2 * margin);

        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var fill = new SKPaint { Style = SKPaintStyle.Fill };
        canvas.DrawText(title, margin, margin + 14, font, text);
        canvas.DrawText("predicted →", left, top - 24, small, text);

        for (int t = 0; t < n; t++)
        {
            canvas.DrawText(report.Classes[t], margin, top + t * cell + cell / 2f + 5, font, text);
            int rowTotal = Math.Max(1, report.Confusion[t].Sum());
            for (int p = 0; p < n; p++)
            {
                int count = report.Confusion[t][p];
                float share = count / (float)rowTotal;
                byte shade = (byte)(255 - share * 200);
                fill.Color = t == p ? new SKColor(shade, 255, shade) : new SKColor(255, shade, shade);
                var rect = SKRect.Create(left + p * cell, top + t * cell, cell - 2, cell - 2);
                canvas.DrawRect(rect, fill);
                var label = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                canvas.DrawText(label, rect.MidX - font.MeasureText(label) / 2, rect.MidY + 5, font, text);
            }
            var column = report.Classes[t].Length > 7 ? report.Classes[t][..7] + "…" : report.Classes[t];
            canvas.DrawText(column, left + t * cell + 2, top - 6, small, text);
        }
        canvas.DrawText($"accuracy {report.Accuracy:0.000}, macro F1 {report.F1Macro:0.000}", left, top + n * cell + 24, font, text);

        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => png.SaveTo(s));
    }
}
