namespace SharpTune.Data;

/// <summary>
/// A decoded 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B (no alpha, no padding): what
/// torchvision's loader produces with <c>Image.convert("RGB")</c>.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (at least <c>width * height * 3</c> bytes) without copying.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length < (long)width * height * 3)
            throw new ArgumentException($"{pixels.Length} bytes are too few for {width}x{height} RGB", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>An image of one colour.</summary>
    public static RgbImage Filled(int width, int height, byte r, byte g, byte b)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixels, <c>(y * Width + x) * 3 + channel</c>, channel 0 = red.</summary>
    public byte[] Pixels { get; }

    /// <summary>Bytes of pixel data (<c>Width * Height * 3</c>).</summary>
    public long ByteCount => (long)Width * Height * 3;

    /// <summary>The value of RGB channel <paramref name="channel"/> of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public byte this[int x, int y, int channel] => Pixels[(y * Width + x) * 3 + channel];
}
