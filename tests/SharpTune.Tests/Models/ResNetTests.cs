using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Tests.Models;

public class ResNetTests
{
    [Theory]
    [InlineData("resnet18-tv", 11_689_512)] // torchvision resnet18 parameter count
    [InlineData("resnet50", 25_557_032)]    // torchvision resnet50 parameter count
    public void Torchvision_layouts_have_torchvision_parameter_counts(string name, long expected)
    {
        using var model = ModelZoo.Get(name).Build(1000);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void State_dict_keys_use_torchvision_names()
    {
        using var model = ModelZoo.Get("resnet18-tv").Build(1000);
        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var key in new[]
                 {
                     "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                     "layer1.0.conv1.weight", "layer1.1.bn2.running_var", "layer2.0.downsample.0.weight",
                     "layer2.0.downsample.1.running_mean", "layer4.1.conv2.weight", "fc.weight", "fc.bias",
                 })
        {
            Assert.Contains(key, keys);
        }
        Assert.DoesNotContain("layer1.0.downsample.0.weight", keys); // layer1 keeps width and stride
    }

    [Fact]
    public void Tiny_model_gives_logits_and_features_of_the_right_shape_and_gradients_everywhere()
    {
        using var model = ModelZoo.Get("test-resnet").Build(5);
        using var x = randn(2, 3, 32, 32);
        using var features = model.ForwardFeatures(x);
        Assert.Equal(new long[] { 2, ResNetSpec.Tiny.NumFeatures }, features.shape);
        using var logits = model.call(x);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        using var loss = logits.square().sum();
        loss.backward();
        Assert.All(model.named_parameters(), p =>
        {
            Assert.NotNull(p.parameter.grad);
            Assert.False(p.parameter.grad!.isnan().any().item<bool>(), p.name);
        });
    }

    [Fact]
    public void ResetClassifier_replaces_the_head_and_keeps_the_body()
    {
        using var model = ModelZoo.Get("test-resnet").Build(5);
        var conv1Before = model.state_dict()["conv1.weight"].clone();
        model.ResetClassifier(3);
        Assert.Equal(3, model.NumClasses);
        Assert.Equal(new long[] { 3, 64 }, model.state_dict()["fc.weight"].shape);
        Assert.True(model.state_dict()["conv1.weight"].allclose(conv1Before, rtol: 0, atol: 0));
        Assert.Single(model.named_children(), c => c.name == "fc");
        using var logits = model.call(randn(1, 3, 32, 32));
        Assert.Equal(new long[] { 1, 3 }, logits.shape);
    }

    [Fact]
    public void Unknown_model_names_list_the_known_ones()
    {
        var e = Assert.Throws<UnknownModelException>(() => ModelZoo.Get("resnet1000"));
        Assert.Contains("resnet18", e.Message);
    }
}
