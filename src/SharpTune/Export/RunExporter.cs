using Google.Protobuf;
using SharpTune.Inference;
using SharpTune.IO;
using SharpTune.Training;

namespace SharpTune.Export;

/// <summary>
/// Exports the model of a finished run directory (<c>model.json</c> + <c>model.safetensors</c>) to ONNX, safetensors
/// or <c>.pth</c>: the library side of <c>sharptune export</c>.
/// ONNX graphs are built per architecture family (<c>model.json</c>'s <c>architecture</c>): <c>resnet</c> by
/// <see cref="ResNetOnnxExporter"/>; another family (a BERT text classifier) adds its own graph writer on
/// <see cref="OnnxGraphBuilder"/> and one case in <see cref="Export"/>.
/// </summary>
public static class RunExporter
{
    /// <summary>
    /// Exports <paramref name="model"/> in <paramref name="format"/> to <paramref name="outputPath"/> (a file, or an
    /// existing folder to put <see cref="ExportFormats.DefaultFileName"/> in; null: <c>RUN/export/</c>).
    /// </summary>
    public static ExportResult Export(SharpTuneModel model, ExportFormat format, string? outputPath, OnnxExportOptions? onnxOptions = null)
    {
        var path = ResolveOutput(model.Directory, format, outputPath);
        if (format != ExportFormat.Onnx)
        {
            if (onnxOptions is { IncludePreprocessing: true })
                throw new ArgumentException("preprocessing can only be included in ONNX graphs", nameof(onnxOptions));
            var files = StateDictExporter.Export(model.Module, model.Info, format, path);
            return new ExportResult(format, files[0], files);
        }

        onnxOptions ??= new OnnxExportOptions();
        var info = model.Info;
        var metadata = new OnnxClassifierMetadata(info.Classes, model.Preprocessing,
            onnxOptions.IncludePreprocessing ? OnnxInputKind.RgbPixels : OnnxInputKind.Normalized, info.Architecture, info.Model);
        var proto = info.Architecture.ToLowerInvariant() switch
        {
            "resnet" => ResNetOnnxExporter.Build(model.Module, metadata, onnxOptions),
            _ => throw new RunDirectoryException($"{model.Directory}: no ONNX exporter for architecture '{info.Architecture}'"),
        };
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
        return new ExportResult(format, path, [path]);
    }

    /// <summary>The output file for <paramref name="outputPath"/> (see <see cref="Export"/>).</summary>
    public static string ResolveOutput(string runDirectory, ExportFormat format, string? outputPath)
    {
        if (outputPath is null) return Path.Combine(runDirectory, "export", format.DefaultFileName());
        if (Directory.Exists(outputPath) || outputPath.EndsWith('/') || outputPath.EndsWith(Path.DirectorySeparatorChar))
            return Path.GetFullPath(Path.Combine(outputPath, format.DefaultFileName()));
        return Path.GetFullPath(outputPath);
    }
}
