using System.CommandLine;
using System.Runtime.InteropServices;
using SharpTune.Data;
using SkiaSharp;

namespace SharpTune.Bench.Data;

/// <summary>
/// <c>gen-jpegs</c>: makes a set of large JPEGs (default 1600×1200, quality 90) from a small image folder by
/// upscaling each image and adding fine deterministic noise, so the files carry camera-like detail and size
/// (a few hundred KB). Layout: OUT/train/&lt;class&gt;/&lt;file&gt;.jpg, ready for both loaders.
/// </summary>
public static class GenerateJpegs
{
    public static Command Build()
    {
        var from = new Option<string>("--from") { Description = "Source split folder (<class>/<image>), e.g. ../shared/data/hotdog/train.", Required = true };
        var output = new Option<string>("--out") { Description = "Output dataset folder (gets train/<class>/...).", Required = true };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 64 };
        var width = new Option<int>("--width") { DefaultValueFactory = _ => 1600 };
        var height = new Option<int>("--height") { DefaultValueFactory = _ => 1200 };
        var quality = new Option<int>("--quality") { DefaultValueFactory = _ => 90 };
        var command = new Command("gen-jpegs", "Generate large JPEGs (upscaled + noise) for the data benchmark.")
        {
            from, output, perClass, width, height, quality,
        };
        command.SetAction(p => Run(p.GetValue(from)!, p.GetValue(output)!, p.GetValue(perClass), p.GetValue(width), p.GetValue(height), p.GetValue(quality)));
        return command;
    }

    private static int Run(string from, string output, int perClass, int width, int height, int quality)
    {
        var split = ImageFolder.OpenSplit(from);
        var rng = new SampleRandom(2024);
        var resize = ImageTransforms.Compose(new Resize(height, width), new ToTensor());
        int written = 0;
        for (int c = 0; c < split.Classes.Count; c++)
        {
            var members = split.Samples.Where(s => s.Label == c).Take(perClass).ToList();
            var dir = Path.Combine(output, "train", split.Classes[c]);
            Directory.CreateDirectory(dir);
            foreach (var sample in members)
            {
                var big = resize.ApplyGeometry(ImageDecoder.Decode(sample.Path), rng);
                using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
                var rgba = new byte[width * height * 4];
                for (int i = 0, j = 0; i < width * height * 3; i += 3, j += 4)
                {
                    int noise = (int)(rng.NextUInt64() & 15) - 8;
                    rgba[j] = Clamp(big.Pixels[i] + noise);
                    rgba[j + 1] = Clamp(big.Pixels[i + 1] + noise);
                    rgba[j + 2] = Clamp(big.Pixels[i + 2] + noise);
                    rgba[j + 3] = 255;
                }
                Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
                using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
                var path = Path.Combine(dir, Path.GetFileNameWithoutExtension(sample.Path) + ".jpg");
                SharpTune.IO.AtomicFile.Write(path, s => data.SaveTo(s));
                written++;
            }
        }
        SharpTune.IO.AtomicFile.WriteText(Path.Combine(output, ".complete"), $"{written} images {width}x{height} q{quality}\n");
        Console.WriteLine($"wrote {written} JPEGs of {width}x{height} (quality {quality}) under {Path.GetFullPath(output)}");
        return 0;
    }

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
