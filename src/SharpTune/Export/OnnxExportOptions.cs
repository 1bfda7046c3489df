namespace SharpTune.Export;

/// <summary>Settings of an ONNX export.</summary>
/// <param name="Opset">Default-domain opset version: 13 (the minimum: Softmax over one axis, modern Split/Squeeze) to 18.</param>
/// <param name="IncludePreprocessing">
/// True: the graph takes uint8 RGB pixels [batch, H, W, 3] (resized and cropped) and normalises them itself
/// (<see cref="OnnxInputKind.RgbPixels"/>); false: it takes the normalised float tensor (<see cref="OnnxInputKind.Normalized"/>).
/// </param>
public sealed record OnnxExportOptions(int Opset = OnnxExportOptions.DefaultOpset, bool IncludePreprocessing = false)
{
    /// <summary>The opset written unless another is asked for.</summary>
    public const int DefaultOpset = 17;

    /// <summary>Lowest supported opset.</summary>
    public const int MinOpset = 13;

    /// <summary>Highest supported opset (what <see cref="OnnxGraphBuilder.IrVersion"/> allows).</summary>
    public const int MaxOpset = 18;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when <see cref="Opset"/> is outside the supported range.</summary>
    public void Validate()
    {
        if (Opset is < MinOpset or > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(Opset), Opset, $"opset must be between {MinOpset} and {MaxOpset}");
    }
}
