using SharpTune.Data;
using Xunit;

namespace SharpTune.Tests.Data;

public class TransformGeometryTests
{
    /// <summary>torchvision's fallback box for an image of height×width with ratio range 3/4..4/3.</summary>
    private static CropBox Fallback(int height, int width)
    {
        double inRatio = (double)width / height;
        var (h, w) = inRatio < 0.75 ? ((int)Math.Round(width / 0.75), width)
            : inRatio > 4.0 / 3 ? (height, (int)Math.Round(height * 4.0 / 3))
            : (height, width);
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(375, 500)]
    [InlineData(500, 375)]
    [InlineData(33, 400)]
    [InlineData(7, 5)]
    public void RandomResizedCropBoxesStayInsideAndWithinScaleAndRatio(int height, int width)
    {
        var rng = new SampleRandom(42);
        double minScale = double.MaxValue, maxScale = 0, minRatio = double.MaxValue, maxRatio = 0;
        for (int i = 0; i < 4000; i++)
        {
            var box = RandomResizedCrop.GetParams(height, width, 0.08, 1.0, 3.0 / 4, 4.0 / 3, rng);
            Assert.InRange(box.Top, 0, height - box.Height);
            Assert.InRange(box.Left, 0, width - box.Width);
            Assert.InRange(box.Height, 1, height);
            Assert.InRange(box.Width, 1, width);
            if (box == Fallback(height, width)) continue;
            double scale = (double)box.Width * box.Height / (width * height);
            double ratio = (double)box.Width / box.Height;
            // w = round(sqrt(area·r)), h = round(sqrt(area/r)): area and ratio miss the drawn values by rounding only.
            double slack = 1.1 / Math.Min(box.Width, box.Height);
            Assert.InRange(scale, 0.08 * (1 - slack), 1.0);
            Assert.InRange(ratio, 0.75 * (1 - slack), 4.0 / 3 * (1 + slack));
            minScale = Math.Min(minScale, scale);
            maxScale = Math.Max(maxScale, scale);
            minRatio = Math.Min(minRatio, ratio);
            maxRatio = Math.Max(maxRatio, ratio);
        }
        if (height >= 64 && width >= 64)
        {
            // Over many draws the whole range is used.
            Assert.True(minScale < 0.1, $"min scale {minScale}");
            Assert.True(maxScale > 0.7, $"max scale {maxScale}");
            Assert.True(minRatio < 0.8 && maxRatio > 1.25, $"ratio {minRatio}..{maxRatio}");
        }
    }

    [Fact]
    public void RandomResizedCropFallsBackToTorchvisionsCentreCrop()
    {
        var rng = new SampleRandom(7);
        // 10x1000: no random box of ratio 3/4..4/3 fits in 10 rows often enough → mostly fallbacks.
        // Image ratio 100 > 4/3: h = height, w = round(h * 4/3) = 13, centred.
        int fallback = 0;
        for (int i = 0; i < 200; i++)
        {
            var box = RandomResizedCrop.GetParams(10, 1000, 0.08, 1.0, 0.75, 4.0 / 3, rng);
            if (box == new CropBox(0, (1000 - 13) / 2, 10, 13)) fallback++;
        }
        Assert.True(fallback > 150, $"{fallback} fallbacks");

        // Tall: ratio 0.01 < 3/4 → w = width, h = round(w / (3/4)) = 13.
        var tall = RandomResizedCrop.GetParams(1000, 10, 0.08, 1.0, 0.75, 4.0 / 3, new SampleRandom(1));
        Assert.Equal(new CropBox((1000 - 13) / 2, 0, 13, 10), tall);

        // Impossible scale: every draw is rejected; image ratio inside the range → whole image.
        var whole = RandomResizedCrop.GetParams(30, 35, 5.0, 6.0, 0.75, 4.0 / 3, new SampleRandom(3));
        Assert.Equal(new CropBox(0, 0, 30, 35), whole);
    }

    [Fact]
    public void RandomResizedCropScaleIsUniformAndRatioLogUniform()
    {
        var rng = new SampleRandom(11);
        var scales = new List<double>();
        var logRatios = new List<double>();
        for (int i = 0; i < 20000; i++)
        {
            var box = RandomResizedCrop.GetParams(2000, 2000, 0.08, 1.0, 0.75, 4.0 / 3, rng);
            scales.Add((double)box.Width * box.Height / 4_000_000);
            logRatios.Add(Math.Log((double)box.Width / box.Height));
        }
        // Uniform(0.08, 1) has mean 0.54, but large areas with a ratio away from 1 do not fit and are redrawn:
        // torchvision 0.14's get_params gives a mean of 0.476 over 20,000 draws on a 2000x2000 image (seed 0).
        Assert.InRange(scales.Average(), 0.468, 0.484);
        // log-uniform ratio: log ratio symmetric around 0.
        Assert.InRange(logRatios.Average(), -0.01, 0.01);
    }

    [Theory]
    [InlineData(224, 375, 500, 224, 298)]   // landscape: short = height
    [InlineData(224, 500, 375, 298, 224)]   // portrait
    [InlineData(256, 64, 64, 256, 256)]
    [InlineData(5, 7, 11, 5, 7)]            // int(5 * 11 / 7) = 7
    [InlineData(100, 333, 1000, 100, 300)]  // int(300.3)
    [InlineData(10, 30, 29, 10, 10)]        // portrait by one pixel: width short → h = int(10*30/29) = 10
    public void ResizeShorterSideSizes(int size, int height, int width, int expectedHeight, int expectedWidth)
    {
        Assert.Equal((expectedHeight, expectedWidth), Resize.ShorterSideSize(size, height, width));
        Assert.Equal((expectedHeight, expectedWidth), new Resize(size).OutputSizeFor(height, width));
    }

    [Theory]
    [InlineData(256, 256, 224, 224, 16, 16)]
    [InlineData(7, 5, 2, 2, 2, 2)]      // (7-2)/2 = 2.5 → round half to even = 2; (5-2)/2 = 1.5 → 2
    [InlineData(9, 12, 4, 5, 2, 4)]     // 2.5 → 2, 3.5 → 4
    [InlineData(10, 10, 3, 3, 4, 4)]    // 3.5 → 4
    [InlineData(7, 11, 9, 13, -1, -1)]  // crop larger: padding (9-7)//2 = 1 above, (13-11)//2 = 1 left
    [InlineData(4, 4, 7, 2, -1, 1)]     // (7-4)//2 = 1 above; width: round(1.0) = 1
    public void CenterCropOffsets(int height, int width, int cropHeight, int cropWidth, int top, int left)
    {
        Assert.Equal(new CropBox(top, left, cropHeight, cropWidth), CenterCrop.Box(height, width, cropHeight, cropWidth));
    }

    [Fact]
    public void OutputSizesOfPipelines()
    {
        var n = SharpTune.Models.Normalization.ImageNetRgb;
        Assert.Equal((224, 224), ImageTransforms.TrainD2l(224, n).OutputSize);
        Assert.Equal((112, 112), ImageTransforms.EvalD2l(112, n).OutputSize);
        Assert.Null(ImageTransforms.Compose(new Resize(10), new ToTensor()).OutputSize);
        Assert.Equal((10, 13), ImageTransforms.Compose(new Resize(10), new ToTensor()).OutputSizeFor(20, 26));
        Assert.Throws<ArgumentException>(() => ImageTransforms.Compose(new Normalize(n), new ToTensor()));
        Assert.Throws<ArgumentException>(() => ImageTransforms.Compose(new ToTensor(), new CenterCrop(3)));
        Assert.Throws<ArgumentException>(() => ImageTransforms.Compose(new CenterCrop(3)));
    }
}
