using SharpTune.IO;
using SkiaSharp;

namespace SharpTune.Data;

/// <summary>
/// A contact sheet of a split, like d2l's <c>show_images</c>: one row per class, labelled with the class name, showing
/// a few images spread evenly over the class (each fitted into a square tile, aspect ratio kept). Written as PNG.
/// </summary>
public static class PreviewGrid
{
    private const int Margin = 8;
    private const int LabelHeight = 22;

    /// <summary>Renders the grid of <paramref name="split"/> into a PNG file at <paramref name="path"/> (written atomically).</summary>
    /// <returns>The image size and the number of classes shown.</returns>
    public static (int Width, int Height, int ClassesShown) Write(ImageFolder split, string path, int perClass = 8, int tile = 96, int maxClasses = 16)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tile, 8);
        int classes = Math.Min(split.Classes.Count, maxClasses);
        int width = Margin + perClass * (tile + Margin);
        int titleHeight = LabelHeight + 6;
        int height = titleHeight + Margin + Math.Max(1, classes) * (LabelHeight + tile + Margin) + (split.Classes.Count > classes ? LabelHeight : 0);
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot create a {width}x{height} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var typeface = Typeface();
        using var font = new SKFont(typeface, 15);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var frame = new SKPaint { Color = new SKColor(0xEE, 0xEE, 0xEE) };
        using var titleFont = new SKFont(typeface, 17) { Embolden = true };
        var dataset = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(split.Directory))) ?? "";
        canvas.DrawText($"{dataset} / {split.SplitName}: {split.Samples.Count} images, {split.Classes.Count} classes",
            Margin, titleHeight - 6, SKTextAlign.Left, titleFont, text);

        var byClass = new List<int>[split.Classes.Count];
        for (int c = 0; c < byClass.Length; c++) byClass[c] = [];
        for (int i = 0; i < split.Samples.Count; i++) byClass[split.Samples[i].Label].Add(i);

        for (int c = 0; c < classes; c++)
        {
            int top = titleHeight + Margin + c * (LabelHeight + tile + Margin);
            canvas.DrawText($"{c}: {split.Classes[c]}  ({byClass[c].Count} images)", Margin, top + LabelHeight - 6, SKTextAlign.Left, font, text);
            var members = byClass[c];
            int shown = Math.Min(perClass, members.Count);
            for (int k = 0; k < shown; k++)
            {
                int sample = members[(int)((long)k * members.Count / shown)];
                int left = Margin + k * (tile + Margin);
                var cell = SKRect.Create(left, top + LabelHeight, tile, tile);
                canvas.DrawRect(cell, frame);
                DrawTile(canvas, split.Samples[sample].Path, cell, tile);
            }
        }
        if (split.Classes.Count > classes)
            canvas.DrawText($"… and {split.Classes.Count - classes} more classes", Margin, height - 6, SKTextAlign.Left, font, text);

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => png.SaveTo(s));
        return (width, height, classes);
    }

    private static void DrawTile(SKCanvas canvas, string path, SKRect cell, int tile)
    {
        RgbImage image;
        try
        {
            image = ImageDecoder.DecodeCore(path, h => Math.Min(1, (double)tile / Math.Min(h.Width, h.Height)), ImageDecoder.DefaultMaxPixels).Image;
        }
        catch (Exception e) when (e is BadImageException or IOException)
        {
            return; // leave the cell empty
        }
        double scale = Math.Min((double)tile / image.Width, (double)tile / image.Height);
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        var geometry = SampleGeometry.Start(image, image.Width, image.Height);
        geometry.Resize(h, w);
        var fitted = geometry.RenderRgb();
        using var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[w * h * 4];
        for (int i = 0, j = 0; i < w * h * 3; i += 3, j += 4)
        {
            rgba[j] = fitted.Pixels[i];
            rgba[j + 1] = fitted.Pixels[i + 1];
            rgba[j + 2] = fitted.Pixels[i + 2];
            rgba[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        canvas.DrawBitmap(bitmap, cell.Left + (tile - w) / 2f, cell.Top + (tile - h) / 2f);
    }

    private static SKTypeface Typeface()
    {
        foreach (var family in new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" })
            if (SKFontManager.Default.MatchFamily(family) is { } match) return match;
        foreach (var file in new[] { "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" })
            if (File.Exists(file) && SKTypeface.FromFile(file) is { } loaded) return loaded;
        return SKTypeface.CreateDefault();
    }
}
