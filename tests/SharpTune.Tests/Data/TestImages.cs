using System.Runtime.InteropServices;
using SharpTune.Data;
using SkiaSharp;

namespace SharpTune.Tests.Data;

/// <summary>A temporary folder deleted at the end of the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharptune-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            // Restore permissions a test may have removed, then delete.
            foreach (var f in Directory.EnumerateFileSystemEntries(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                if (!OperatingSystem.IsWindows() && new FileInfo(f).LinkTarget is null)
                    try { File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); } catch (IOException) { }
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Writes tiny test images with SkiaSharp (and BMP/GIF by hand: Skia encodes only PNG, JPEG and WebP).</summary>
public static class TestImages
{
    /// <summary>A deterministic colourful pattern: pixel (x, y) → RGB.</summary>
    public static (byte R, byte G, byte B) Pattern(int x, int y) =>
        ((byte)((x * 37 + y * 11) % 256), (byte)((x * 5 + y * 53) % 256), (byte)((x * x * 3 + y * 7) % 256));

    /// <summary>An <see cref="RgbImage"/> of the given pixel function.</summary>
    public static RgbImage Rgb(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                int o = (y * width + x) * 3;
                (px[o], px[o + 1], px[o + 2]) = (r, g, b);
            }
        return new RgbImage(width, height, px);
    }

    /// <summary>Encodes RGBA pixels from <paramref name="pixel"/> with SkiaSharp.</summary>
    public static byte[] Encode(SKEncodedImageFormat format, int width, int height, Func<int, int, SKColor> pixel, int quality = 95,
                                SKColorType colorType = SKColorType.Rgba8888, SKAlphaType alphaType = SKAlphaType.Unpremul)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, alphaType));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, pixel(x, y));
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format} {colorType}");
        return data.ToArray();
    }

    public static byte[] Jpeg(int width, int height, Func<int, int, SKColor> pixel, int quality = 95) =>
        Encode(SKEncodedImageFormat.Jpeg, width, height, pixel, quality);

    public static byte[] Png(int width, int height, Func<int, int, SKColor> pixel) =>
        Encode(SKEncodedImageFormat.Png, width, height, pixel);

    public static byte[] Webp(int width, int height, Func<int, int, SKColor> pixel) =>
        Encode(SKEncodedImageFormat.Webp, width, height, pixel, 100);

    public static SKColor Solid(byte r, byte g, byte b) => new(r, g, b);

    public static Func<int, int, SKColor> PatternColor => (x, y) => { var (r, g, b) = Pattern(x, y); return new SKColor(r, g, b); };

    /// <summary>Writes a JPEG of one colour (default) or the pattern and returns its path.</summary>
    public static string WriteJpeg(string path, int width = 16, int height = 12, Func<int, int, SKColor>? pixel = null, int quality = 95)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Jpeg(width, height, pixel ?? ((_, _) => new SKColor(200, 100, 50)), quality));
        return path;
    }

    public static string WritePng(string path, int width = 16, int height = 12, Func<int, int, SKColor>? pixel = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Png(width, height, pixel ?? ((_, _) => new SKColor(200, 100, 50))));
        return path;
    }

    /// <summary>An uncompressed 24-bit BMP (bottom-up rows, BGR, rows padded to 4 bytes).</summary>
    public static byte[] Bmp(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        int rowBytes = (width * 3 + 3) & ~3;
        int size = 54 + rowBytes * height;
        var b = new byte[size];
        b[0] = (byte)'B';
        b[1] = (byte)'M';
        BitConverter.TryWriteBytes(b.AsSpan(2), size);
        BitConverter.TryWriteBytes(b.AsSpan(10), 54);
        BitConverter.TryWriteBytes(b.AsSpan(14), 40);
        BitConverter.TryWriteBytes(b.AsSpan(18), width);
        BitConverter.TryWriteBytes(b.AsSpan(22), height);
        BitConverter.TryWriteBytes(b.AsSpan(26), (short)1);
        BitConverter.TryWriteBytes(b.AsSpan(28), (short)24);
        BitConverter.TryWriteBytes(b.AsSpan(34), rowBytes * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, bl) = pixel(x, y);
                int o = 54 + (height - 1 - y) * rowBytes + x * 3;
                (b[o], b[o + 1], b[o + 2]) = (bl, g, r);
            }
        return b;
    }

    /// <summary>
    /// A GIF89a with a 4-colour palette. The LZW stream sends a clear code before every two pixels, so the code width
    /// stays at 3 bits and the encoder needs no dictionary.
    /// </summary>
    public static byte[] Gif(int width, int height, (byte R, byte G, byte B)[] palette4, Func<int, int, int> index)
    {
        var o = new List<byte>();
        o.AddRange("GIF89a"u8.ToArray());
        o.AddRange(BitConverter.GetBytes((ushort)width));
        o.AddRange(BitConverter.GetBytes((ushort)height));
        o.Add(0b1000_0001); // global colour table, 2^(1+1) = 4 entries
        o.Add(0);
        o.Add(0);
        foreach (var (r, g, b) in palette4) { o.Add(r); o.Add(g); o.Add(b); }
        o.Add(0x2C);
        o.AddRange(BitConverter.GetBytes((ushort)0));
        o.AddRange(BitConverter.GetBytes((ushort)0));
        o.AddRange(BitConverter.GetBytes((ushort)width));
        o.AddRange(BitConverter.GetBytes((ushort)height));
        o.Add(0);
        o.Add(2); // LZW minimum code size
        var codes = new List<int>();
        int sent = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (sent % 2 == 0) codes.Add(4); // clear
                codes.Add(index(x, y));
                sent++;
            }
        codes.Add(5); // end of information
        var bytes = new List<byte>();
        int acc = 0, bits = 0;
        foreach (var c in codes)
        {
            acc |= c << bits;
            bits += 3;
            while (bits >= 8) { bytes.Add((byte)(acc & 0xFF)); acc >>= 8; bits -= 8; }
        }
        if (bits > 0) bytes.Add((byte)acc);
        for (int i = 0; i < bytes.Count; i += 255)
        {
            int n = Math.Min(255, bytes.Count - i);
            o.Add((byte)n);
            o.AddRange(bytes.GetRange(i, n));
        }
        o.Add(0);
        o.Add(0x3B);
        return o.ToArray();
    }

    /// <summary>Inserts an EXIF APP1 segment with the given orientation right after the JPEG's SOI marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new byte[]
        {
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD at 8
            0, 1, // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0, // no next IFD
        };
        var exif = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        int length = exif.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(exif);
        return jpeg.Take(2).Concat(segment).Concat(jpeg.Skip(2)).ToArray();
    }

    /// <summary>Rewrites the size in a baseline JPEG's SOF0 header (the pixel data stays that of the small image).</summary>
    public static byte[] WithDeclaredSize(byte[] jpeg, int width, int height)
    {
        var b = (byte[])jpeg.Clone();
        for (int i = 2; i < b.Length - 9; i++)
        {
            if (b[i] == 0xFF && b[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                b[i + 5] = (byte)(height >> 8);
                b[i + 6] = (byte)height;
                b[i + 7] = (byte)(width >> 8);
                b[i + 8] = (byte)width;
                return b;
            }
        }
        throw new InvalidOperationException("no SOF marker");
    }

    /// <summary>
    /// Writes DIR/&lt;split&gt;/&lt;class&gt;/&lt;class&gt;_&lt;i&gt;.jpg for every split and class; image i of class c
    /// has a colour derived from (c, i) so tests can tell images apart.
    /// </summary>
    public static void MakeDataset(string root, string[] splits, string[] classes, int perClass, int width = 16, int height = 12)
    {
        foreach (var split in splits)
            for (int c = 0; c < classes.Length; c++)
                for (int i = 0; i < perClass; i++)
                {
                    byte r = (byte)(40 + 60 * c), g = (byte)(20 + 9 * i), b = (byte)(split.Length * 20);
                    WriteJpeg(Path.Combine(root, split, classes[c], $"{classes[c]}_{i:D3}.jpg"), width, height,
                        (x, y) => new SKColor((byte)(r + x), (byte)(g + y), b));
                }
    }

    /// <summary>Whether this process can read files whatever their permissions (root): permission tests are then moot.</summary>
    public static bool IgnoresFilePermissions
    {
        get
        {
            if (OperatingSystem.IsWindows()) return true;
            return geteuid() == 0;
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint geteuid();
}
