using Microsoft.ML.OnnxRuntime;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Onnx;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Export;

/// <summary>The ONNX graph: standard ops, dynamic batch, metadata, and ONNX Runtime parity with TorchSharp.</summary>
[Collection(TinyRunCollection.Name)]
public class OnnxExportTests(TinyRunFixture run)
{
    private static readonly HashSet<string> ModelOps = ["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm", "Softmax"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Onnx_Runtime_matches_TorchSharp_to_float32_rounding_batched_and_alone(bool includePreprocessing)
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        var result = RunExporter.Export(model, ExportFormat.Onnx, dir.File("m.onnx"), new OnnxExportOptions(IncludePreprocessing: includePreprocessing));
        var images = OnnxExportVerifier.SampleImages(model.Preprocessing.ResizeSize, 5, seed: 7);
        var parity = OnnxExportVerifier.Verify(model, result.ModelFile, images, threads: 1);
        Assert.Equal(5, parity.PerInputMaxAbsDiff.Count);
        // Logits and probabilities (which move by at most half as much as the logits) of two float32 evaluations of
        // the tiny ResNet: Tolerances.Forward, relative to the largest logit.
        var spec = model.Info.Spec;
        Tolerances.Within(parity.MaxAbsDiff, Tolerances.Forward(Tolerances.MaxAbs(model.Logits(images)), Tolerances.Depth(spec), Tolerances.LongestReduction(spec)),
            $"ONNX Runtime vs TorchSharp, preprocessing {includePreprocessing}");
        Assert.True(parity.MeanAbsFeature > 1e-3, "logits are not all zero");
    }

    [Fact]
    public void The_graph_is_standard_onnx_with_a_dynamic_batch_and_sharptune_metadata()
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        var file = RunExporter.Export(model, ExportFormat.Onnx, dir.File("m.onnx")).ModelFile;
        var proto = OnnxFile.Read(file);

        Assert.Equal(OnnxExportOptions.DefaultOpset, Assert.Single(proto.OpsetImport, o => o.Domain == "").Version);
        Assert.True(proto.OpsetImport.Single().Version >= 13);
        Assert.Equal("SharpTune", proto.ProducerName);
        Assert.Subset(ModelOps, proto.Graph.Node.Select(n => n.OpType).ToHashSet());
        Assert.Equal(model.Info.Spec.Layers.Sum() * 2 + 1 + 3, proto.Graph.Node.Count(n => n.OpType == "Conv")); // + stem + 3 downsamples
        var input = Assert.Single(proto.Graph.Input);
        Assert.Equal("input", input.Name);
        Assert.Equal("batch", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([3L, 32, 32], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal(["logits", "probabilities"], proto.Graph.Output.Select(o => o.Name));
        Assert.Contains(proto.Graph.Initializer, t => t.Name == "layer1.0.conv1.weight");

        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("[\"bright\",\"dark\"]", meta["classes"]);
        var parsed = OnnxClassifierMetadata.Parse(meta, file);
        Assert.Equal(model.Preprocessing, parsed.Preprocessing);
        Assert.Equal(OnnxInputKind.Normalized, parsed.InputKind);
        Assert.Contains("centre-crop 32x32", meta["preprocessing_text"]);
    }

    [Fact]
    public void Included_preprocessing_takes_uint8_rgb_pixels()
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        var file = RunExporter.Export(model, ExportFormat.Onnx, dir.File("m.onnx"), new OnnxExportOptions(IncludePreprocessing: true)).ModelFile;
        var input = Assert.Single(OnnxFile.Read(file).Graph.Input);
        Assert.Equal("pixels", input.Name);
        Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Uint8, input.Type.TensorType.ElemType);
        Assert.Equal("[\"batch\",32,32,3]", $"[\"{input.Type.TensorType.Shape.Dim[0].DimParam}\",{string.Join(",", input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue))}]");
    }

    [Theory]
    [InlineData(ResNetBlock.Bottleneck, ChannelOrder.Rgb)]
    [InlineData(ResNetBlock.Basic, ChannelOrder.Bgr)]
    public void Any_resnet_shape_exports_exactly_with_nontrivial_batch_norm_statistics(ResNetBlock block, ChannelOrder order)
    {
        // A random ResNet whose BatchNorm statistics matter (not 0/1), with both block types and both channel orders.
        manual_seed(11);
        using var model = new ResNet(new ResNetSpec(block, [1, 2, 1, 1], [8, 8, 16, 16]), 5);
        using (no_grad())
            foreach (var (name, t) in model.state_dict())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) t.copy_(randn_like(t) * 0.1);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(rand_like(t) + 0.5);
            }
        model.eval();
        var normalization = order == ChannelOrder.Bgr ? Normalization.CntkBgr255 : Normalization.ImageNetRgb;
        var pre = new ClassifierPreprocessing(40, false, 36, normalization);
        var metadata = new OnnxClassifierMetadata(["a", "b", "c", "d", "e"], pre, OnnxInputKind.RgbPixels, "resnet", "random");
        var proto = ResNetOnnxExporter.Build(model, metadata, new OnnxExportOptions(Opset: 13, IncludePreprocessing: true));

        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(proto));
        var pixels = new byte[3 * 36 * 36 * 3];
        new Random(5).NextBytes(pixels);
        using var ortInput = OrtValue.CreateTensorValueFromMemory(pixels, [3, 36, 36, 3]);
        using var results = session.Run(new RunOptions(), ["pixels"], [ortInput], ["logits"]);
        var theirs = results[0].GetTensorDataAsSpan<float>().ToArray();

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rgb = tensor(pixels.Select(b => (float)b).ToArray(), [3, 36, 36, 3]).permute(0, 3, 1, 2);
        var ours = model.call(normalization.Apply(rgb)).flatten().data<float>().ToArray();
        Assert.Equal(ours.Length, theirs.Length);
        var maxDiff = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        // Two float32 evaluations of the network (the normalisation too, inside the graph): Tolerances.Forward relative
        // to the largest logit, which 0–255 BGR inputs make large.
        var spec = model.Spec;
        Tolerances.Within(maxDiff, Tolerances.Forward(ours.Max(Math.Abs), Tolerances.Depth(spec), Tolerances.LongestReduction(spec)), $"random {block} ResNet, {order}");
    }

    [Fact]
    public void The_pretrained_resnet18_with_a_new_head_exports_to_float32_rounding()
    {
        // The zoo's real ResNet-18 ([2,2,2,3], trained BatchNorm statistics, BGR 0-255 input) at the hot-dog size.
        using var cache = new TemporaryCache();
        var (model, _) = ModelZoo.CreatePretrained("resnet18", numClasses: 2);
        using var _model = model;
        model.eval();
        var pre = new ClassifierPreprocessing(128, false, 112, Normalization.CntkBgr255);
        var metadata = new OnnxClassifierMetadata(["hotdog", "not-hotdog"], pre, OnnxInputKind.Normalized, "resnet", "resnet18");
        var proto = ResNetOnnxExporter.Build(model, metadata, new OnnxExportOptions());
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(proto));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Normalization.CntkBgr255.Apply(rand(new long[] { 3, 3, 112, 112 }, generator: new Generator(3)) * 255f);
        var ours = model.call(x).flatten().data<float>().ToArray();
        using var ortInput = OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), [3, 3, 112, 112]);
        using var results = session.Run(new RunOptions(), ["input"], [ortInput], ["logits"]);
        var theirs = results[0].GetTensorDataAsSpan<float>().ToArray();
        // ResNet-18 [2,2,2,3]: 20 reductions one after another, the longest 512 × 3 × 3 = 4608 terms (Tolerances.Forward).
        var spec = model.Spec;
        Tolerances.Within(ours.Zip(theirs, (a, b) => (double)Math.Abs(a - b)).Max(),
            Tolerances.Forward(ours.Max(Math.Abs), Tolerances.Depth(spec), Tolerances.LongestReduction(spec)), "pretrained ResNet-18, new head");
        Assert.Equal(110 + 2, proto.Graph.Initializer.Count); // 110 body tensors (the ONNX source's) + fc.weight, fc.bias
    }

    [Fact]
    public void Opsets_outside_the_supported_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportOptions(Opset: 12).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxExportOptions(Opset: 19).Validate());
    }

    [Fact]
    public void The_graph_builder_refuses_values_used_before_they_are_defined_or_defined_twice()
    {
        var g = new OnnxGraphBuilder("g");
        var x = g.Input("x", global::Onnx.TensorProto.Types.DataType.Float, "batch", 4);
        Assert.Throws<InvalidOperationException>(() => g.Node("y", "Relu", ["nope"]));
        Assert.Throws<InvalidOperationException>(() => g.Input("x", global::Onnx.TensorProto.Types.DataType.Float, 1));
        g.Node("y", "Relu", [x]);
        Assert.Throws<InvalidOperationException>(() => g.Node("y", "Relu", [x]));
    }
}
