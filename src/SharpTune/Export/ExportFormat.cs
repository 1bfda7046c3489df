namespace SharpTune.Export;

/// <summary>File formats a trained run can be exported to.</summary>
public enum ExportFormat
{
    /// <summary>A standard ONNX graph (ONNX Runtime, other runtimes), classes and preprocessing in its metadata.</summary>
    Onnx,
    /// <summary>A safetensors state dict with PyTorch (torchvision) names, plus <c>config.json</c>.</summary>
    Safetensors,
    /// <summary>A PyTorch <c>.pth</c> (zip, <c>torch.save</c> layout) state dict, plus <c>config.json</c>.</summary>
    Pth,
}

/// <summary>Names and file names of <see cref="ExportFormat"/> values.</summary>
public static class ExportFormats
{
    /// <summary>The names accepted on the command line, in <see cref="ExportFormat"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["onnx", "safetensors", "pth"];

    /// <summary>Parses a format name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static ExportFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "onnx" => ExportFormat.Onnx,
        "safetensors" => ExportFormat.Safetensors,
        "pth" or "pt" => ExportFormat.Pth,
        _ => throw new ArgumentException($"unknown export format '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>File extension, with the dot.</summary>
    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.Onnx => ".onnx",
        ExportFormat.Safetensors => ".safetensors",
        ExportFormat.Pth => ".pth",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>File name used when no output path is given: <c>model</c> plus the extension.</summary>
    public static string DefaultFileName(this ExportFormat format) => "model" + format.Extension();
}
