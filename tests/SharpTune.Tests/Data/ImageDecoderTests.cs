using SharpTune.Data;
using SkiaSharp;
using Xunit;

namespace SharpTune.Tests.Data;

public class ImageDecoderTests
{
    private static (byte R, byte G, byte B) Pixel(RgbImage image, int x, int y) => (image[x, y, 0], image[x, y, 1], image[x, y, 2]);

    private static void AssertClose((byte R, byte G, byte B) expected, (byte R, byte G, byte B) actual, int tolerance)
    {
        Assert.InRange(actual.R, expected.R - tolerance, expected.R + tolerance);
        Assert.InRange(actual.G, expected.G - tolerance, expected.G + tolerance);
        Assert.InRange(actual.B, expected.B - tolerance, expected.B + tolerance);
    }

    [Fact]
    public void DecodesEveryFormatToRgbByContent()
    {
        using var dir = new TempDir();
        // 32x32 in three blocks aligned to JPEG's 16x16 colour blocks (chroma subsampling would blur smaller ones).
        static (byte, byte, byte) Blocks(int x, int y) => x < 16 ? ((byte)255, (byte)0, (byte)0) : y < 16 ? ((byte)0, (byte)255, (byte)0) : ((byte)0, (byte)0, (byte)255);
        var color = (Func<int, int, SKColor>)((x, y) => { var (r, g, b) = Blocks(x, y); return new SKColor(r, g, b); });
        var files = new Dictionary<string, byte[]>
        {
            ["a.jpg"] = TestImages.Jpeg(32, 32, color, 100),
            ["a.png"] = TestImages.Png(32, 32, color),
            ["a.webp"] = TestImages.Webp(32, 32, color),
            ["a.bmp"] = TestImages.Bmp(32, 32, Blocks),
            ["a.gif"] = TestImages.Gif(32, 32, [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)], (x, y) => x < 16 ? 0 : y < 16 ? 1 : 2),
        };
        foreach (var (name, bytes) in files)
        {
            var path = dir[name];
            File.WriteAllBytes(path, bytes);
            var header = ImageDecoder.ReadHeader(path);
            Assert.Equal((32, 32), (header.Width, header.Height));
            Assert.Equal(ImageFormats.FormatOfExtension(name), header.Format);
            var image = ImageDecoder.Decode(path);
            Assert.Equal((32, 32), (image.Width, image.Height));
            int tolerance = name.EndsWith(".jpg") ? 6 : 0;
            AssertClose((255, 0, 0), Pixel(image, 4, 4), tolerance);
            AssertClose((0, 255, 0), Pixel(image, 28, 4), tolerance);
            AssertClose((0, 0, 255), Pixel(image, 28, 28), tolerance);
        }
    }

    [Fact]
    public void GreyscaleBecomesThreeEqualChannelsAndAlphaIsDropped()
    {
        using var dir = new TempDir();
        var grey = dir["grey.png"];
        File.WriteAllBytes(grey, TestImages.Encode(SKEncodedImageFormat.Png, 5, 4, (x, _) => new SKColor((byte)(x * 50), (byte)(x * 50), (byte)(x * 50)),
            colorType: SKColorType.Gray8, alphaType: SKAlphaType.Opaque));
        var g = ImageDecoder.Decode(grey);
        for (int x = 0; x < 5; x++) Assert.Equal(((byte)(x * 50), (byte)(x * 50), (byte)(x * 50)), Pixel(g, x, 2));

        var greyJpeg = dir["grey.jpg"];
        File.WriteAllBytes(greyJpeg, TestImages.Encode(SKEncodedImageFormat.Jpeg, 8, 8, (_, _) => new SKColor(90, 90, 90), 100,
            SKColorType.Gray8, SKAlphaType.Opaque));
        var gj = ImageDecoder.Decode(greyJpeg);
        var p = Pixel(gj, 3, 3);
        Assert.Equal(p.R, p.G);
        Assert.Equal(p.G, p.B);
        AssertClose((90, 90, 90), p, 2);

        // PIL's convert("RGB") drops alpha and keeps the colour values: so do we.
        var alpha = dir["alpha.png"];
        File.WriteAllBytes(alpha, TestImages.Png(4, 4, (x, _) => new SKColor(200, 100, 50, (byte)(x * 60 + 10))));
        var a = ImageDecoder.Decode(alpha);
        for (int x = 0; x < 4; x++) AssertClose((200, 100, 50), Pixel(a, x, 1), 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void ExifOrientationIsApplied(int orientation)
    {
        using var dir = new TempDir();
        // 12x8 image with a distinct colour in each corner region.
        static SKColor Corner(int x, int y) => (x < 6, y < 4) switch
        {
            (true, true) => new SKColor(250, 0, 0),
            (false, true) => new SKColor(0, 250, 0),
            (true, false) => new SKColor(0, 0, 250),
            _ => new SKColor(250, 250, 250),
        };
        var bytes = TestImages.WithExifOrientation(TestImages.Jpeg(12, 8, Corner, 100), orientation);
        var path = dir["o.jpg"];
        File.WriteAllBytes(path, bytes);
        var header = ImageDecoder.ReadHeader(path);
        Assert.Equal(orientation, header.Orientation);
        var image = ImageDecoder.Decode(path);
        Assert.Equal(orientation >= 5 ? (8, 12) : (12, 8), (image.Width, image.Height));
        Assert.Equal((image.Width, image.Height), (header.Width, header.Height));

        // Reference: SKImage.FromEncodedData applies the EXIF orientation itself.
        using var reference = SKImage.FromEncodedData(bytes);
        using var bitmap = SKBitmap.FromImage(reference);
        Assert.Equal((bitmap.Width, bitmap.Height), (image.Width, image.Height));
        foreach (var (x, y) in new[] { (1, 1), (image.Width - 2, 1), (1, image.Height - 2), (image.Width - 2, image.Height - 2) })
        {
            var c = bitmap.GetPixel(x, y);
            AssertClose((c.Red, c.Green, c.Blue), Pixel(image, x, y), 3);
        }
    }

    [Fact]
    public void LargeJpegsAreDecodedAtAReducedScaleWhenTheTransformsAllowIt()
    {
        using var dir = new TempDir();
        var path = dir["big.jpg"];
        File.WriteAllBytes(path, TestImages.Jpeg(800, 600, TestImages.PatternColor, 80));
        var transforms = ImageTransforms.EvalD2l(64, SharpTune.Models.Normalization.ImageNetRgb); // Resize((73, 73))
        var (image, header) = ImageDecoder.DecodeCore(path, h => transforms.MinSourceScale(h.Width, h.Height), ImageDecoder.DefaultMaxPixels);
        Assert.Equal((800, 600), (header.Width, header.Height));
        Assert.Equal((100, 75), (image.Width, image.Height)); // 1/8 still covers 73 rows
        var full = ImageDecoder.Decode(path);
        Assert.Equal((800, 600), (full.Width, full.Height));
    }
}
