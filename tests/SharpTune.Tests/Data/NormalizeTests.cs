using SharpTune.Data;
using SharpTune.Models;
using Xunit;

namespace SharpTune.Tests.Data;

public class NormalizeTests
{
    private static readonly RgbImage Orange = RgbImage.Filled(40, 30, 200, 100, 50);

    [Fact]
    public void ZooResNetGetsBgr0To255MinusChannelMeans()
    {
        var (chw, h, w) = ImageTransforms.EvalD2l(16, Normalization.CntkBgr255).Apply(Orange, new SampleRandom(0));
        Assert.Equal((16, 16), (h, w));
        int plane = h * w;
        // Plane 0 = blue, 1 = green, 2 = red; 0–255 minus B 103.06, G 115.90, R 123.15; no division.
        for (int i = 0; i < plane; i++)
        {
            Assert.Equal(50f - 103.06f, chw[i]);
            Assert.Equal(100f - 115.90f, chw[plane + i]);
            Assert.Equal(200f - 123.15f, chw[2 * plane + i]);
        }
    }

    [Fact]
    public void TorchvisionWeightsGetRgb0To1WithImageNetMeanAndStd()
    {
        var (chw, h, w) = ImageTransforms.TrainD2l(12, Normalization.ImageNetRgb).Apply(Orange, new SampleRandom(5));
        int plane = h * w;
        // torchvision: ToTensor (x / 255, float32) then (x - mean) / std.
        float r = (200 / 255f - 0.485f) / 0.229f, g = (100 / 255f - 0.456f) / 0.224f, b = (50 / 255f - 0.406f) / 0.225f;
        for (int i = 0; i < plane; i++)
        {
            Assert.Equal(r, chw[i]);
            Assert.Equal(g, chw[plane + i]);
            Assert.Equal(b, chw[2 * plane + i]);
        }
        Assert.Equal(r, Normalization.ImageNetRgb.Apply(0, 200));
    }

    [Fact]
    public void ToTensorAloneGivesRgbDividedBy255()
    {
        var image = TestImages.Rgb(3, 2, TestImages.Pattern);
        var (chw, h, w) = ImageTransforms.Compose(new ToTensor()).Apply(image, new SampleRandom(0));
        Assert.Equal((2, 3), (h, w));
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(image[x, y, c] / 255f, chw[c * 6 + y * 3 + x]);
    }

    [Fact]
    public void KnownPixelsThroughBothConventionsMatchNormalizationApply()
    {
        var image = TestImages.Rgb(5, 4, TestImages.Pattern);
        foreach (var n in new[] { Normalization.ImageNetRgb, Normalization.CntkBgr255 })
        {
            var (chw, _, _) = ImageTransforms.Compose(new ToTensor(), new Normalize(n)).Apply(image, new SampleRandom(0));
            for (int y = 0; y < 4; y++)
                for (int x = 0; x < 5; x++)
                    for (int c = 0; c < 3; c++)
                        Assert.Equal(n.Apply(c, image[x, y, c]), chw[n.ModelChannelOf(c) * 20 + y * 5 + x]);
        }
    }

    [Fact]
    public void TensorOutputHasBatchDimension()
    {
        using var t = ImageTransforms.EvalD2l(8, Normalization.ImageNetRgb).ApplyToTensor(Orange);
        Assert.Equal([1L, 3, 8, 8], t.shape);
        using var expected = Normalization.ImageNetRgb.Apply(TorchSharp.torch.full([1, 3, 8, 8], 0f));
        Assert.Equal(Normalization.ImageNetRgb.Apply(1, 100), t[0, 1, 3, 3].item<float>());
    }
}
