using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>A source of pretrained weights for a zoo model.</summary>
public interface IPretrainedWeights
{
    /// <summary>Short human-readable description of the source.</summary>
    string Description { get; }

    /// <summary>Loads the weights as a torchvision-named state dict, converting (and caching) if needed.</summary>
    PretrainedStateDict Load();
}

/// <summary>A loaded pretrained state dict and where it came from.</summary>
/// <param name="Tensors">State dict with PyTorch-style names; the caller owns (and disposes) the tensors.</param>
/// <param name="SourceFile">The original file (e.g. the ONNX model).</param>
/// <param name="CacheFile">The converted file served or written, if any.</param>
/// <param name="FromCache">True when the converted weights were read from the cache (no conversion ran).</param>
public sealed record PretrainedStateDict(Dictionary<string, Tensor> Tensors, string SourceFile, string? CacheFile, bool FromCache);
