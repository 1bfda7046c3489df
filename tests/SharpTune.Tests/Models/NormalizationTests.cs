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
        using var pixel = tensor(new float[] { 255f, 128f, 0f }).view(1, 3, 1, 1); // R, G, B
        var cntk = Normalization.CntkBgr255.Apply(pixel).flatten().data<float>().ToArray();
        Assert.Equal(new[] { 0f - 103.06f, 128f - 115.90f, 255f - 123.15f }, cntk, new FloatTolerance(1e-4f));

        var tv = Normalization.ImageNetRgb.Apply(pixel).flatten().data<float>().ToArray();
        Assert.Equal(new[] { (1f - 0.485f) / 0.229f, (128f / 255f - 0.456f) / 0.224f, (0f - 0.406f) / 0.225f }, tv, new FloatTolerance(1e-5f));
        Assert.Equal(tv[1], Normalization.ImageNetRgb.Apply(1, 128f), 5);
        Assert.Equal(cntk[0], Normalization.CntkBgr255.Apply(2, 0f), 4);
    }
}

public sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(float obj) => 0;
}
