namespace SharpTune.Export;

/// <summary>What the graph input of an exported classifier expects.</summary>
public enum OnnxInputKind
{
    /// <summary>
    /// <c>input</c>: float32 [batch, 3, H, W], already resized, cropped and normalised (channel order, scale, mean, std
    /// as in the <c>preprocessing</c> metadata): what the TorchSharp model takes.
    /// </summary>
    Normalized,

    /// <summary>
    /// <c>pixels</c>: uint8 [batch, H, W, 3] RGB in 0–255, resized and cropped, as a decoder delivers them; the graph
    /// converts, reorders and normalises (<c>--include-preprocessing</c>).
    /// </summary>
    RgbPixels,
}
