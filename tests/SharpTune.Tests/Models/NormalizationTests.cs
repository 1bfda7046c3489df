using SharpTune.Models;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Models;

public class NormalizationTests
{
    [Fact]
    public void Cntk_channel_means_are_those_of_the_packaged_preprocessing_mean_image()
    {
        var model = OnnxFile.Read(ModelZoo.ResNet18PreprocessOnnx.Locate());
        // The preprocessing graph reorders RGB to BGR and subtracts one [1, 3, 224, 224] mean image.
        var meanImage = model.Graph.Initializer.Single(t => t.Name == "MeanImage");
        using var mean = OnnxFile.ToTensor(meanImage, "prep").mean([0, 2, 3]);
        var bgr = mean.data<float>().ToArray();
        var expected = Normalization.CntkBgr255.Mean;
        for (int c = 0; c < 3; c++) Assert.InRange(bgr[c], expected[c] - 0.01f, expected[c] + 0.01f);
    }

    [Fact]
    public void Bgr255_and_ImageNet_conventions_give_the_exact_values()
    {
        float[] rgb = [255f, 128f, 0f];
        using var pixel = tensor(rgb).view(1, 3, 1, 1); // R, G, B
        var cntk = Normalization.CntkBgr255.Apply(pixel).flatten().data<float>().ToArray();
        AssertNormalized(Normalization.CntkBgr255, rgb, [0f - 103.06f, 128f - 115.90f, 255f - 123.15f], cntk);

        var tv = Normalization.ImageNetRgb.Apply(pixel).flatten().data<float>().ToArray();
        AssertNormalized(Normalization.ImageNetRgb, rgb, [(1f - 0.485f) / 0.229f, (128f / 255f - 0.456f) / 0.224f, (0f - 0.406f) / 0.225f], tv);
        // The scalar form (pixel / 255 · scale) against the tensor's (pixel · (scale / 255)): the same bound.
        Tolerances.Within(Math.Abs(tv[1] - Normalization.ImageNetRgb.Apply(1, 128f)), Bound(Normalization.ImageNetRgb, 1, 128f, tv[1]), "scalar ImageNet G");
        Tolerances.Within(Math.Abs(cntk[0] - Normalization.CntkBgr255.Apply(2, 0f)), Bound(Normalization.CntkBgr255, 0, 0f, cntk[0]), "scalar CNTK B");
    }

    /// <summary>
    /// Each side rounds a few times in float32: the pixel's scaling (and 128/255 on the expected side), the
    /// subtraction, the division, each by at most eps/2 of its result; what rounds before the division is divided by
    /// std too. To first order, both sides together: |actual − expected| ≤ eps·((2·|x·s/255| + |mean|)/std + |result|)
    /// per value, a worst case (the means and stds are the same float literals on both sides).
    /// </summary>
    private static void AssertNormalized(Normalization n, float[] rgb, float[] expected, float[] actual)
    {
        for (int c = 0; c < 3; c++) // the model's channel
            Tolerances.Within(Math.Abs(actual[c] - expected[c]), Bound(n, c, rgb[n.ChannelOrder == ChannelOrder.Rgb ? c : 2 - c], expected[c]),
                $"{n.ChannelOrder} channel {c}");
    }

    private static double Bound(Normalization n, int modelChannel, float pixel, float result) =>
        Tolerances.EpsF32 * ((2 * Math.Abs(pixel * n.PixelScale / 255.0) + Math.Abs(n.Mean[modelChannel])) / n.Std[modelChannel] + Math.Abs(result));
}

