using SkiaSharp;

namespace SharpTune.Tests.Training;

/// <summary>
/// Writes a small two-class ImageFolder (train/test × bright/dark, 20×20 PNG with a little noise) for end-to-end
/// tests of the engine and the CLI.
/// </summary>
public static class TinyImageFolder
{
    public static string Create(string root, int trainPerClass = 12, int testPerClass = 4, string[]? classes = null)
    {
        classes ??= ["bright", "dark"];
        var random = new Random(123);
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("test", testPerClass) })
        {
            for (int c = 0; c < classes.Length; c++)
            {
                var dir = Path.Combine(root, split, classes[c]);
                Directory.CreateDirectory(dir);
                for (int i = 0; i < count; i++)
                {
                    using var bitmap = new SKBitmap(20, 20);
                    for (int y = 0; y < 20; y++)
                        for (int x = 0; x < 20; x++)
                        {
                            int v = Math.Clamp((c == 0 ? 200 : 40) + random.Next(-30, 30), 0, 255);
                            bitmap.SetPixel(x, y, new SKColor((byte)v, (byte)(255 - v), (byte)v));
                        }
                    using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(Path.Combine(dir, $"{i:D3}.png"), png.ToArray());
                }
            }
        }
        return root;
    }
}
