using System.Reflection;
using Onnx;
using SharpTune.Models;
using TorchSharp;
using TorchSharp.Modules;
using static SharpTune.Export.OnnxGraphBuilder;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Export;

/// <summary>
/// Writes a SharpTune <see cref="ResNet"/> classifier as a standard ONNX graph, one ONNX node per PyTorch operation:
/// Conv (no bias) → BatchNormalization (inference form, running statistics, the module's epsilon) → Relu, MaxPool,
/// residual Add, GlobalAveragePool → Flatten → Gemm, plus Softmax for a <c>probabilities</c> output. Nothing is
/// folded, so the graph computes exactly what the TorchSharp module computes in eval mode. The batch dimension is
/// dynamic. Initializers keep their PyTorch state-dict names (<c>layer1.0.conv1.weight</c>).
/// Convolution geometry (kernel, stride, padding, dilation, groups) is read from the modules themselves; the wiring
/// (stem, blocks, downsample, head) follows torchvision's ResNet, and every convolution and batch norm of the module
/// must be used exactly once, so a module this exporter does not understand is refused instead of exported wrongly.
/// </summary>
public static class ResNetOnnxExporter
{
    /// <summary>Builds the ONNX model of <paramref name="model"/> with <paramref name="metadata"/> in its <c>metadata_props</c>.</summary>
    public static ModelProto Build(ResNet model, OnnxClassifierMetadata metadata, OnnxExportOptions options)
    {
        options.Validate();
        if (metadata.Classes.Count != model.NumClasses)
            throw new ArgumentException($"metadata names {metadata.Classes.Count} classes, the model has {model.NumClasses}", nameof(metadata));
        if (metadata.InputKind != (options.IncludePreprocessing ? OnnxInputKind.RgbPixels : OnnxInputKind.Normalized))
            throw new ArgumentException("metadata input kind does not match IncludePreprocessing", nameof(metadata));

        var writer = new Writer(model);
        var g = writer.Graph;
        int size = metadata.Preprocessing.CropSize;
        string x = options.IncludePreprocessing
            ? Preprocessing(g, metadata.Preprocessing.Normalization, size)
            : g.Input(metadata.InputName, DataType.Float, "batch", 3, size, size);

        x = g.Node("relu", "Relu", [writer.ConvBn("conv1", "bn1", x)]);
        x = g.Node("maxpool", "MaxPool", [x], IntsAttr("kernel_shape", 3, 3), IntsAttr("strides", 2, 2), IntsAttr("pads", 1, 1, 1, 1));
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < model.Spec.Layers[s]; b++)
                x = writer.Block($"layer{s + 1}.{b}", model.Spec.Block, x);
        x = g.Node("avgpool", "GlobalAveragePool", [x]);
        x = g.Node("flatten", "Flatten", [x], IntAttr("axis", 1));
        var fc = writer.Module<Linear>(model.ClassifierName);
        var fcInputs = new List<string> { x, writer.Parameter(model.ClassifierName + ".weight", fc.weight) };
        if (fc.bias is not null) fcInputs.Add(writer.Parameter(model.ClassifierName + ".bias", fc.bias));
        var logits = g.Node(OnnxClassifierMetadata.LogitsOutput, "Gemm", fcInputs, IntAttr("transB", 1));
        var probabilities = g.Node(OnnxClassifierMetadata.ProbabilitiesOutput, "Softmax", [logits], IntAttr("axis", 1));
        g.Output(logits, DataType.Float, "batch", model.NumClasses);
        g.Output(probabilities, DataType.Float, "batch", model.NumClasses);
        writer.CheckEverythingUsed();

        var version = typeof(ResNetOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var doc = $"SharpTune {metadata.Model} ({metadata.Architecture}) classifier, {metadata.Classes.Count} classes: " +
                  $"{string.Join(", ", metadata.Classes.Take(20))}{(metadata.Classes.Count > 20 ? ", …" : "")}. " +
                  OnnxClassifierMetadata.Describe(metadata.Preprocessing, metadata.InputKind);
        return g.ToModel(options.Opset, version, metadata.ToProperties(), doc);
    }

    /// <summary>
    /// uint8 [N, H, W, 3] RGB → float32 [N, 3, H, W] in the model's input space: Cast, Transpose, (Gather for BGR),
    /// then the same arithmetic as <see cref="Normalization.Apply(int, float)"/>: pixel / 255 * scale − mean, / std.
    /// </summary>
    private static string Preprocessing(OnnxGraphBuilder g, Normalization n, int size)
    {
        var x = g.Input("pixels", DataType.Uint8, "batch", size, size, 3);
        x = g.Node("pixels_float", "Cast", [x], IntAttr("to", (long)DataType.Float));
        x = g.Node("pixels_nchw", "Transpose", [x], IntsAttr("perm", 0, 3, 1, 2));
        if (n.ChannelOrder == ChannelOrder.Bgr)
            x = g.Node("pixels_bgr", "Gather", [x, g.Initializer("preprocess.bgr_order", new long[] { 2, 1, 0 }, 3)], IntAttr("axis", 1));
        x = g.Node("pixels_01", "Div", [x, g.Initializer("preprocess.255", new[] { 255f })]);
        x = g.Node("pixels_scaled", "Mul", [x, g.Initializer("preprocess.pixel_scale", new[] { n.PixelScale })]);
        x = g.Node("pixels_centered", "Sub", [x, g.Initializer("preprocess.mean", n.Mean.ToArray(), 1, 3, 1, 1)]);
        return g.Node("input", "Div", [x, g.Initializer("preprocess.std", n.Std.ToArray(), 1, 3, 1, 1)]);
    }

    /// <summary>Graph under construction plus the module's named submodules, tracking which have been used.</summary>
    private sealed class Writer
    {
        private readonly Dictionary<string, nn.Module> _modules;
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Writer(ResNet model)
        {
            _modules = model.named_modules().Where(m => m.name.Length > 0).ToDictionary(m => m.name, m => m.module);
            Graph = new OnnxGraphBuilder("sharptune_resnet");
        }

        public OnnxGraphBuilder Graph { get; }

        public T Module<T>(string name) where T : nn.Module
        {
            if (!_modules.TryGetValue(name, out var m)) throw new InvalidOperationException($"ResNet export: no module '{name}'");
            if (m is not T typed) throw new InvalidOperationException($"ResNet export: '{name}' is a {m.GetType().Name}, expected {typeof(T).Name}");
            if (!_used.Add(name)) throw new InvalidOperationException($"ResNet export: module '{name}' used twice");
            return typed;
        }

        public string Parameter(string name, Tensor value)
        {
            if (value.dtype != ScalarType.Float32) throw new InvalidOperationException($"ResNet export: '{name}' is {value.dtype}; only float32 models are exported");
            return Graph.Initializer(name, value);
        }

        /// <summary>Conv followed by BatchNormalization (inference form).</summary>
        public string ConvBn(string conv, string bn, string x)
        {
            var c = Module<Conv2d>(conv);
            if (c.padding_mode != PaddingModes.Zeros || c.padding is null)
                throw new InvalidOperationException($"ResNet export: '{conv}' uses {c.padding_mode} padding {(c.padding is null ? "'same'/'valid'" : "")}; only explicit zero padding is exported");
            var inputs = new List<string> { x, Parameter(conv + ".weight", c.weight) };
            if (c.bias is not null) inputs.Add(Parameter(conv + ".bias", c.bias));
            var pads = c.padding.Concat(c.padding).ToArray();
            x = Graph.Node(conv, "Conv", inputs,
                IntsAttr("kernel_shape", c.kernel_size), IntsAttr("strides", c.stride), IntsAttr("pads", pads),
                IntsAttr("dilations", c.dilation), IntAttr("group", c.groups));

            var b = Module<BatchNorm2d>(bn);
            if (b.weight is null || b.bias is null || b.running_mean is null || b.running_var is null)
                throw new InvalidOperationException($"ResNet export: '{bn}' lacks affine parameters or running statistics");
            return Graph.Node(bn, "BatchNormalization",
                [x, Parameter(bn + ".weight", b.weight), Parameter(bn + ".bias", b.bias),
                 Parameter(bn + ".running_mean", b.running_mean), Parameter(bn + ".running_var", b.running_var)],
                FloatAttr("epsilon", (float)b.eps));
        }

        /// <summary>One residual block (torchvision's BasicBlock or Bottleneck v1.5) ending in Add and Relu.</summary>
        public string Block(string prefix, ResNetBlock kind, string x)
        {
            string y = Graph.Node(prefix + ".relu1", "Relu", [ConvBn(prefix + ".conv1", prefix + ".bn1", x)]);
            if (kind == ResNetBlock.Basic)
            {
                y = ConvBn(prefix + ".conv2", prefix + ".bn2", y);
            }
            else
            {
                y = Graph.Node(prefix + ".relu2", "Relu", [ConvBn(prefix + ".conv2", prefix + ".bn2", y)]);
                y = ConvBn(prefix + ".conv3", prefix + ".bn3", y);
            }
            string identity = _modules.ContainsKey(prefix + ".downsample")
                ? ConvBn(prefix + ".downsample.0", prefix + ".downsample.1", x)
                : x;
            var sum = Graph.Node(prefix + ".add", "Add", [y, identity]);
            return Graph.Node(prefix + ".relu", "Relu", [sum]);
        }

        /// <summary>Refuses a module with convolutions, norms or linear layers the graph does not contain.</summary>
        public void CheckEverythingUsed()
        {
            var unused = _modules
                .Where(m => m.Value is Conv2d or BatchNorm2d or Linear && !_used.Contains(m.Key))
                .Select(m => m.Key).ToList();
            if (unused.Count > 0)
                throw new InvalidOperationException($"ResNet export: modules not in the exported graph: {string.Join(", ", unused)}");
        }
    }
}
