using System.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace SharpTune.Data;

/// <summary>
/// Reads image files with SkiaSharp (JPEG, PNG, BMP, GIF (first frame), WebP, recognised by content, not by extension)
/// into upright 8-bit RGB: grey and palette images become RGB, alpha is dropped, the EXIF orientation is applied.
/// Before decoding, the declared size is checked against a pixel-count limit, so that a forged header cannot make a
/// worker allocate gigabytes. Large JPEGs can be decoded at 1/8 … 8/8 scale (libjpeg's DCT scaling) when the
/// transforms need fewer pixels.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Default pixel-count limit: 178,956,970 pixels, the size at which PIL (and so torchvision) refuses an image as a
    /// decompression bomb. An image whose header declares more is a bad file.
    /// </summary>
    public const long DefaultMaxPixels = 178_956_970;

    /// <summary>Reads the header of <paramref name="path"/> (size, format, orientation) without decoding the pixels.</summary>
    /// <exception cref="DataException">The file cannot be read, is not an image, or declares too many pixels.</exception>
    public static ImageHeader ReadHeader(string path, long maxPixels = DefaultMaxPixels)
    {
        try { return ReadHeaderCore(path, maxPixels); }
        catch (BadImageException e) { throw new DataException($"{path}: {e.Reason}"); }
    }

    /// <summary>Decodes <paramref name="path"/> at full size into an upright RGB image.</summary>
    /// <exception cref="DataException">The file cannot be read or decoded; the message says why.</exception>
    public static RgbImage Decode(string path, long maxPixels = DefaultMaxPixels)
    {
        try { return DecodeCore(path, null, maxPixels).Image; }
        catch (BadImageException e) { throw new DataException($"{path}: {e.Reason}"); }
    }

    /// <summary>
    /// Decodes the encoded image in <paramref name="stream"/> (read to its end, not closed) into an upright RGB image;
    /// <paramref name="name"/> identifies it in error messages (a file name, a URL, "stdin").
    /// </summary>
    /// <exception cref="DataException">The stream cannot be read or does not hold a decodable image.</exception>
    public static RgbImage Decode(Stream stream, string name, long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] bytes;
        try
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new DataException($"{name}: cannot read: {e.Message}");
        }
        try { return DecodeBytes(bytes, name, null, maxPixels).Image; }
        catch (BadImageException e) { throw new DataException($"{name}: {e.Reason}"); }
    }

    /// <summary>Header probe; throws <see cref="BadImageException"/> with the reason.</summary>
    internal static ImageHeader ReadHeaderCore(string path, long maxPixels)
    {
        CheckNotEmpty(path);
        using var stream = OpenFile(path, out long length);
        if (length == 0) throw new BadImageException("empty file (0 bytes)");
        SKCodec? codec;
        SKCodecResult result;
        try
        {
            codec = SKCodec.Create(stream, out result);
        }
        catch (IOException e)
        {
            throw new BadImageException($"cannot read: {e.Message}");
        }
        if (codec is null) throw new BadImageException(NotDecodableReason(path, result));
        using (codec)
        {
            var header = HeaderOf(codec);
            CheckPixelLimit(header, maxPixels);
            return header;
        }
    }

    /// <summary>
    /// Decodes <paramref name="path"/>; for JPEGs, at the smallest DCT scale that keeps at least
    /// <paramref name="minScale"/>(header) of the full size in both directions (null: full size).
    /// </summary>
    internal static (RgbImage Image, ImageHeader Header) DecodeCore(string path, Func<ImageHeader, double>? minScale, long maxPixels)
    {
        CheckNotEmpty(path);
        return DecodeBytes(ReadAllBytes(path), path, minScale, maxPixels);
    }

    /// <summary><see cref="DecodeCore"/> on bytes already read; <paramref name="path"/> only names the source.</summary>
    private static (RgbImage Image, ImageHeader Header) DecodeBytes(byte[] bytes, string path, Func<ImageHeader, double>? minScale, long maxPixels)
    {
        if (bytes.Length == 0) throw new BadImageException("empty file (0 bytes)");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new BadImageException(NotDecodableReason(bytes, path, null));
        var header = HeaderOf(codec);
        CheckPixelLimit(header, maxPixels);

        var stored = codec.Info; // dimensions as stored (before orientation)
        int width = stored.Width, height = stored.Height;
        if (minScale is not null && codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            double scale = Math.Clamp(minScale(header), 0, 1);
            if (scale < 1)
            {
                for (int k = 1; k < 8; k++)
                {
                    var d = codec.GetScaledDimensions(k / 8f);
                    if (d.Width >= scale * stored.Width - 1e-6 && d.Height >= scale * stored.Height - 1e-6 &&
                        d.Width > 0 && d.Height > 0)
                    {
                        (width, height) = (d.Width, d.Height);
                        break;
                    }
                }
            }
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int size = checked(width * height * 4);
        var rgba = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
            SKCodecResult result;
            try { result = codec.GetPixels(info, handle.AddrOfPinnedObject()); }
            finally { handle.Free(); }
            switch (result)
            {
                case SKCodecResult.Success:
                    break;
                case SKCodecResult.IncompleteInput:
                    throw new BadImageException($"truncated {header.Format} ({bytes.Length} bytes): the data ends before the image does");
                case SKCodecResult.ErrorInInput:
                    throw new BadImageException($"corrupt {header.Format} data (decoder error in the input)");
                default:
                    throw new BadImageException($"cannot decode {header.Format} ({result})");
            }
            return (ExifOrientation.ToUprightRgb(rgba, width, height, header.Orientation), header);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    private static ImageHeader HeaderOf(SKCodec codec)
    {
        int orientation = (int)codec.EncodedOrigin;
        if (orientation is < 1 or > 8) orientation = 1;
        var info = codec.Info;
        bool transposed = orientation >= 5;
        return new ImageHeader(transposed ? info.Height : info.Width, transposed ? info.Width : info.Height,
            FormatName(codec.EncodedFormat), orientation);
    }

    private static void CheckPixelLimit(ImageHeader header, long maxPixels)
    {
        long pixels = (long)header.Width * header.Height;
        if (header.Width <= 0 || header.Height <= 0)
            throw new BadImageException($"invalid declared size {header.Width}x{header.Height}");
        if (pixels > maxPixels)
            throw new BadImageException(
                $"declared size {header.Width}x{header.Height} ({pixels / 1e6:0.#} Mpx) exceeds the limit of {maxPixels / 1e6:0.#} Mpx; not decoded");
    }

    internal static string FormatName(SKEncodedImageFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>
    /// Refuses files whose size is 0 before opening them: empty files, and also FIFOs or device files, whose size reads
    /// as 0 and whose opening could block forever.
    /// </summary>
    private static void CheckNotEmpty(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length == 0) throw new BadImageException("empty file (0 bytes)");
    }

    private static FileStream OpenFile(string path, out long length)
    {
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14);
            length = stream.Length;
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadImageException(ReadFailure(path, e));
        }
    }

    private static byte[] ReadAllBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadImageException(ReadFailure(path, e));
        }
    }

    private static string ReadFailure(string path, Exception e)
    {
        if (e is UnauthorizedAccessException) return "cannot read: permission denied";
        if (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null) return $"broken symbolic link (to {info.LinkTarget})";
            return "file not found (deleted after the scan?)";
        }
        return $"cannot read: {e.Message}";
    }

    private static string NotDecodableReason(string path, SKCodecResult result)
    {
        byte[] head;
        try
        {
            using var s = File.OpenRead(path);
            head = new byte[Math.Min(64, s.Length)];
            s.ReadExactly(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ReadFailure(path, e);
        }
        return NotDecodableReason(head, path, result);
    }

    private static string NotDecodableReason(byte[] head, string path, SKCodecResult? result)
    {
        string? sniffed = Sniff(head);
        string? announced = ImageFormats.FormatOfExtension(path);
        if (sniffed is not null)
            return $"damaged or truncated {sniffed} header: cannot be decoded" +
                   (result is { } r && r != SKCodecResult.IncompleteInput ? $" ({r})" : "");
        string what = LooksLikeText(head) ? "content looks like text" : "unrecognised content";
        return announced is null
            ? $"not an image ({what})"
            : $"not an image ({what}, although the extension says {announced})";
    }

    private static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "jpeg";
        if (b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return "png";
        if (b.Length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return "gif";
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return "bmp";
        if (b.Length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "webp";
        return null;
    }

    private static bool LooksLikeText(ReadOnlySpan<byte> b)
    {
        if (b.Length == 0) return false;
        foreach (var c in b)
            if (c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B)) return false;
        return true;
    }
}
