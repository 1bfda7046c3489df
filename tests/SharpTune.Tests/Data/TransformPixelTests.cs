using SharpTune.Data;
using SharpTune.Models;
using Xunit;

namespace SharpTune.Tests.Data;

/// <summary>
/// Pixels of the transforms against PIL 9.4 / torchvision 0.14.1 (Debian's, the peer's) on an 11×7 pattern image
/// (<see cref="TestImages.Pattern"/>); the expected values were printed by torchvision. SharpTune uses PIL's
/// coefficients and 22-bit fixed point, so the values must match exactly.
/// </summary>
public class TransformPixelTests
{
    private static readonly RgbImage Source = TestImages.Rgb(11, 7, TestImages.Pattern);

    /// <summary>Runs geometric <paramref name="steps"/> and returns the RGB image.</summary>
    private static RgbImage Run(params ImageTransform[] steps) =>
        ImageTransforms.Compose([.. steps, new ToTensor()]).ApplyGeometry(Source, new SampleRandom(0));

    private static void AssertPixels(RgbImage actual, int width, int height, int[] expected, int tolerance = 0)
    {
        Assert.Equal((width, height), (actual.Width, actual.Height));
        Assert.Equal(width * height * 3, expected.Length);
        int worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(actual.Pixels[i] - expected[i]));
        Assert.True(worst <= tolerance, $"max difference {worst} to PIL");
    }

    [Fact]
    public void DownscaleMatchesPilBilinearWithAntialias()
    {
        AssertPixels(Run(new Resize(3, 4)), 4, 3,
        [51, 51, 13, 144, 63, 50, 129, 77, 130, 81, 89, 152, 75, 150, 28, 164, 162, 65, 129, 175, 142, 105, 148, 94, 99, 77, 43, 179, 89, 80, 96, 102, 157, 129, 79, 103]);
    }

    [Fact]
    public void ResizedCropMatchesTorchvision()
    {
        // F.resized_crop(img, top=1, left=2, height=5, width=6, size=[4, 5])
        var g = SampleGeometry.Start(Source, Source.Width, Source.Height);
        g.Crop(1, 2, 5, 6);
        g.Resize(4, 5);
        AssertPixels(g.RenderRgb(), 5, 4,
        [96, 77, 24, 138, 83, 44, 181, 89, 71, 223, 94, 105, 64, 100, 148, 109, 139, 32, 151, 145, 52, 194, 151, 79, 236, 156, 113, 77, 162, 156,
         121, 201, 40, 163, 207, 60, 206, 213, 87, 152, 218, 121, 57, 224, 164, 134, 71, 48, 176, 77, 68, 219, 83, 95, 96, 88, 129, 47, 94, 172]);
    }

    [Fact]
    public void ShorterSideResizeMatchesTorchvision()
    {
        AssertPixels(Run(new Resize(5)), 7, 5,
        [19, 20, 3, 74, 27, 14, 129, 35, 37, 189, 43, 78, 105, 51, 135, 48, 59, 201, 103, 66, 126, 32, 84, 12, 87, 91, 23, 142, 99, 46, 202, 107, 87,
         118, 115, 144, 61, 123, 170, 116, 130, 78, 48, 161, 22, 103, 168, 33, 158, 176, 56, 208, 184, 97, 114, 192, 154, 77, 187, 149, 132, 160, 42,
         64, 124, 32, 119, 131, 43, 174, 139, 66, 180, 147, 107, 38, 155, 164, 93, 123, 159, 148, 28, 52, 77, 46, 41, 132, 53, 52, 187, 61, 75,
         193, 69, 116, 51, 77, 173, 106, 85, 168, 161, 92, 61]);
    }

    [Fact]
    public void ResizeThenCenterCropIsOnePassAndMatchesTorchvision()
    {
        // CenterCrop(4)(Resize(6)(img)): the crop of the resized grid, computed in one resampling pass.
        AssertPixels(Run(new Resize(6), new CenterCrop(4)), 4, 4,
        [108, 83, 29, 151, 88, 51, 199, 95, 85, 169, 102, 129, 121, 142, 37, 164, 147, 59, 212, 154, 93, 182, 161, 137,
         133, 202, 45, 176, 207, 67, 205, 214, 101, 94, 221, 145, 146, 85, 53, 189, 90, 75, 203, 97, 109, 29, 104, 153]);
    }

    [Fact]
    public void CenterCropPadsWithBlackLikeTorchvision()
    {
        var padded = Run(new CenterCrop(9, 13));
        Assert.Equal((13, 9), (padded.Width, padded.Height));
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 13; x++)
            {
                bool inside = y >= 1 && y < 8 && x >= 1 && x < 12;
                var expected = inside ? TestImages.Pattern(x - 1, y - 1) : ((byte)0, (byte)0, (byte)0);
                Assert.Equal(expected, (padded[x, y, 0], padded[x, y, 1], padded[x, y, 2]));
            }
        // Resizing the padded picture includes the black border, as torchvision does.
        AssertPixels(Run(new CenterCrop(9, 13), new Resize(5, 5)), 5, 5,
        [7, 4, 1, 44, 10, 10, 82, 16, 39, 33, 23, 85, 34, 19, 44, 22, 44, 7, 99, 72, 28, 175, 85, 86, 77, 98, 164, 75, 75, 74, 37, 113, 16, 120, 171, 41,
         182, 184, 99, 89, 184, 145, 89, 106, 42, 51, 59, 25, 141, 94, 54, 159, 107, 112, 81, 104, 158, 104, 40, 51, 29, 20, 15, 76, 33, 31, 85, 40, 60,
         46, 46, 83, 56, 36, 28]);
    }

    [Fact]
    public void UpscaleMatchesPilBilinear()
    {
        var up = Run(new Resize(9, 23));
        Assert.Equal((23, 9), (up.Width, up.Height));
        // Spot checks against PIL's img.resize((23, 9), BILINEAR): first row and the last pixel.
        int[] firstRow = [0, 0, 0, 8, 1, 1, 26, 3, 2, 43, 6, 5, 61, 8, 9, 79, 11, 14, 97, 13, 21, 114, 15, 29, 132, 18, 39, 150, 20, 49];
        Assert.Equal(firstRow.Select(v => (byte)v), up.Pixels.Take(firstRow.Length));
        Assert.Equal(new byte[] { 180, 112, 86 }, up.Pixels[^3..]);
    }

    [Fact]
    public void CropAndFlipAreExactPixelCopies()
    {
        var crop = Run(new CenterCrop(3, 5));
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                Assert.Equal(TestImages.Pattern(x + 3, y + 2), (crop[x, y, 0], crop[x, y, 1], crop[x, y, 2]));
        var flipped = Run(new RandomHorizontalFlip(1.0), new CenterCrop(3, 4));
        // Flip first, then crop the centre of the mirrored image: column c is source column 10 - (c + 4) (crop left = round(3.5) = 4).
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(TestImages.Pattern(10 - (x + 4), y + 2), (flipped[x, y, 0], flipped[x, y, 1], flipped[x, y, 2]));
        var same = Run(new RandomHorizontalFlip(0.0));
        Assert.Equal(Source.Pixels, same.Pixels);
    }

    [Fact]
    public void AntialiasingAveragesInsteadOfSkipping()
    {
        // A 1-pixel black/white checkerboard shrunk 4x becomes mid-grey (nearest or non-antialiased bilinear would alias).
        var board = TestImages.Rgb(64, 64, (x, y) => (x + y) % 2 == 0 ? ((byte)255, (byte)255, (byte)255) : ((byte)0, (byte)0, (byte)0));
        var small = ImageTransforms.Compose(new Resize(16, 16), new ToTensor()).ApplyGeometry(board, new SampleRandom(0));
        for (int i = 16 * 3; i < small.Pixels.Length - 16 * 3; i++) Assert.InRange(small.Pixels[i], 120, 136);
    }
}
