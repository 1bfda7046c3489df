using System.Text.Json;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Export;

/// <summary>safetensors and .pth exports: PyTorch names, config.json, and a round trip through TorchSharp.PyBridge.</summary>
[Collection(TinyRunCollection.Name)]
public class StateDictExportTests(TinyRunFixture run)
{
    [Theory]
    [InlineData(ExportFormat.Safetensors, WeightsFormat.Safetensors)]
    [InlineData(ExportFormat.Pth, WeightsFormat.PyTorchZip)]
    public void The_exported_state_dict_round_trips_through_PyBridge_exactly(ExportFormat format, WeightsFormat expected)
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        var result = RunExporter.Export(model, format, dir.Path);
        Assert.Equal(dir.File(format.DefaultFileName()), result.ModelFile);
        Assert.Equal(dir.File("config.json"), result.Files[1]);
        Assert.Equal(expected, StateDictFile.DetectFormat(result.ModelFile));

        // Read back with PyBridge (StateDictFile), compare every tensor, then rebuild from config.json and compare outputs.
        var original = model.Module.state_dict();
        var read = StateDictFile.Read(result.ModelFile);
        try
        {
            Assert.Equal(original.Keys.Order(), read.Keys.Order());
            Assert.Contains("layer1.0.bn1.num_batches_tracked", read.Keys); // what torchvision's strict load_state_dict expects
            Assert.Contains("fc.weight", read.Keys);
            foreach (var (name, t) in original) Assert.True(t.eq(read[name]).all().item<bool>(), name);
        }
        finally
        {
            foreach (var t in read.Values) t.Dispose();
        }
        var inputs = new List<Tensor> { randn(2, 3, 32, 32) };
        var roundTrip = StateDictRoundTrip.Check(model.Module, result.ModelFile, inputs);
        Assert.Equal(0, roundTrip.MaxAbsDiff);
        Assert.Equal(original.Count, roundTrip.Tensors);
    }

    [Fact]
    public void Config_json_has_the_architecture_classes_and_normalisation()
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        RunExporter.Export(model, ExportFormat.Pth, dir.File("w/weights.pth"));
        using var config = JsonDocument.Parse(File.ReadAllText(dir.File("w/config.json")));
        var root = config.RootElement;
        Assert.Equal("resnet", root.GetProperty("architecture").GetString());
        Assert.Equal("basic", root.GetProperty("block").GetString());
        Assert.Equal([1, 1, 1, 1], root.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(2, root.GetProperty("num_classes").GetInt32());
        Assert.Equal(["bright", "dark"], root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("dark", root.GetProperty("id2label").GetProperty("1").GetString());
        Assert.Equal("weights.pth", root.GetProperty("weights_file").GetString());
        var norm = root.GetProperty("preprocessing").GetProperty("normalization");
        Assert.Equal("rgb", norm.GetProperty("channel_order").GetString());
        Assert.Equal(0.485f, norm.GetProperty("mean")[0].GetSingle());
        Assert.Equal(32, root.GetProperty("preprocessing").GetProperty("crop_size").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("torchvision").ValueKind); // test-resnet widths are not torchvision's
        Assert.Contains("T.CenterCrop(32)", root.GetProperty("torchvision_transform").GetString());
    }

    [Fact]
    public void Standard_widths_get_a_torchvision_constructor_and_bgr_models_a_matching_transform()
    {
        var info = new SharpTune.Training.ModelInfo(1, "resnet18", "resnet", SharpTune.Models.ResNetBlock.Basic, [2, 2, 2, 3], [64, 128, 256, 512],
            ["hotdog", "not-hotdog"], SharpTune.Models.Normalization.CntkBgr255, 112, 128, "model.safetensors");
        var config = PyTorchConfig.For(info, "model.safetensors", ExportFormat.Safetensors);
        Assert.Equal("torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, [2, 2, 2, 3], num_classes=2)", config.Torchvision);
        Assert.Equal("T.Compose([T.Resize((128, 128)), T.CenterCrop(112), T.ToTensor(), T.Lambda(lambda x: x.flip(0)), " +
                     "T.Lambda(lambda x: x * 255), T.Normalize(mean=[103.06, 115.9, 123.15], std=[1, 1, 1])])", config.TorchvisionTransform);
    }
}
