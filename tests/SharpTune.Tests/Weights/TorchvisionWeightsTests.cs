using SharpTune.Models;
using SharpTune.Weights;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SharpTune.Tests.Weights;

/// <summary>torchvision-layout state dicts written by the tests, loaded back through the zoo.</summary>
public class TorchvisionWeightsTests
{
    [Theory]
    [InlineData("safetensors")]
    [InlineData("pth")]
    public void A_torchvision_layout_file_loads_and_reproduces_the_source_outputs(string format)
    {
        using var dir = new TempDirectory();
        manual_seed(1);
        using var source = ModelZoo.Get("resnet18-tv").Build(1000);
        source.eval();
        var path = dir.File("resnet18." + format);
        if (format == "pth") source.save_py(path);
        else StateDictFile.WriteSafetensors(path, source.state_dict());

        manual_seed(2);
        var (loaded, report) = ModelZoo.CreatePretrained("resnet18-tv", 1000, path);
        using var _ = loaded;
        loaded.eval();
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Contains("fc.weight", report.Loaded);

        using var x = randn(2, 3, 64, 64);
        using var noGrad = no_grad();
        // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
        Assert.True(source.call(x).allclose(loaded.call(x), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_classifier_with_another_class_count_is_skipped_and_reported()
    {
        using var dir = new TempDirectory();
        using var source = ModelZoo.Get("resnet18-tv").Build(1000);
        var path = dir.File("imagenet.safetensors");
        StateDictFile.WriteSafetensors(path, source.state_dict());

        var (model, report) = ModelZoo.CreatePretrained("resnet18-tv", 2, path);
        using var _ = model;
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, report.SkippedClassifier.OrderByDescending(k => k));
        Assert.Equal(2, model.NumClasses);
        Assert.True(model.state_dict()["layer4.1.conv2.weight"].allclose(source.state_dict()["layer4.1.conv2.weight"], rtol: 0, atol: 0));
    }

    [Fact]
    public void A_wrong_shape_names_the_tensor_and_both_shapes()
    {
        using var dir = new TempDirectory();
        using var source = ModelZoo.Get("resnet18-tv").Build(1000);
        var dict = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
        dict["layer2.0.conv1.weight"] = zeros(128, 64, 5, 5);
        var path = dir.File("bad.safetensors");
        StateDictFile.WriteSafetensors(path, dict);

        var e = Assert.Throws<WeightsException>(() => ModelZoo.CreatePretrained("resnet18-tv", 1000, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("layer2.0.conv1.weight", e.Message);
        Assert.Contains("[128, 64, 5, 5]", e.Message);
        Assert.Contains("[128, 64, 3, 3]", e.Message);
    }

    [Fact]
    public void Weights_of_another_architecture_are_refused_with_the_missing_keys()
    {
        using var dir = new TempDirectory();
        using var tv = ModelZoo.Get("resnet18-tv").Build(1000);
        var path = dir.File("tv18.safetensors");
        StateDictFile.WriteSafetensors(path, tv.state_dict());

        // The zoo's resnet18 has a third block in layer4 that a torchvision resnet18 lacks.
        var e = Assert.Throws<WeightsException>(() => ModelZoo.CreatePretrained("resnet18", 2, path));
        Assert.Contains("layer4.2.", e.Message);
        Assert.Contains(path, e.Message);

        var r50 = Assert.Throws<WeightsException>(() => ModelZoo.CreatePretrained("resnet50", 1000, path));
        Assert.Contains("do not fit", r50.Message);
    }

    [Fact]
    public void Files_that_are_not_weights_are_refused_by_content_not_extension()
    {
        using var dir = new TempDirectory();
        var text = dir.File("weights.safetensors");
        File.WriteAllText(text, "hello, not a tensor file");
        Assert.Contains(text, Assert.Throws<WeightsException>(() => StateDictFile.Read(text)).Message);
        var empty = dir.File("empty.pth");
        File.WriteAllBytes(empty, []);
        Assert.Contains(empty, Assert.Throws<WeightsException>(() => StateDictFile.Read(empty)).Message);
    }
}
