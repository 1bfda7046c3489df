using Google.Protobuf;
using SharpTune.Inference;
using SharpTune.IO;
using SharpTune.Training;

namespace SharpTune.Export;

/// <summary>
/// Exports the model of a finished run directory (<c>model.json</c> + <c>model.safetensors</c>) to ONNX, safetensors
/// or <c>.pth</c>: the library side of <c>sharptune export</c>.
/// ONNX graphs are built per architecture family (<c>model.json</c>'s <c>architecture</c>): <c>resnet</c> by
/// <see cref="ResNetOnnxExporter"/>, <c>bert</c> (text runs, loaded as <see cref="TextClassifier"/>) by
/// <see cref="BertOnnxExporter"/>; another family adds its own graph writer on <see cref="OnnxGraphBuilder"/>.
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

    /// <summary>
    /// Exports the BERT text classifier of a text run to ONNX (<see cref="BertOnnxExporter"/>) at
    /// <paramref name="outputPath"/> (a file, or an existing folder; null: <c>RUN/export/model.onnx</c>), with the
    /// run's WordPiece vocabulary written beside it; the result lists both files, the model first.
    /// </summary>
    /// <exception cref="RunDirectoryException">A format other than ONNX (state dicts of text runs are not exported yet).</exception>
    public static ExportResult Export(TextClassifier model, ExportFormat format, string? outputPath, OnnxExportOptions? onnxOptions = null)
    {
        if (format != ExportFormat.Onnx)
            throw new RunDirectoryException($"{model.Directory}: text runs export to ONNX only (--format onnx); the weights are already a PyTorch-named state dict in model.safetensors");
        onnxOptions ??= new OnnxExportOptions();
        var vocabName = Path.GetFileName(model.Info.VocabFile);
        var files = OutputFiles(model.Directory, format, outputPath, vocabName);
        var (path, vocabPath) = (files[0], files[1]);
        var metadata = OnnxTextClassifierMetadata.For(model.Info, vocabName);
        var proto = BertOnnxExporter.Build(model.Module, metadata, onnxOptions);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
        AtomicFile.Write(vocabPath, stream => stream.Write(model.Encoder.Vocabulary));
        return new ExportResult(format, path, [path, vocabPath]);
    }

    /// <summary>
    /// Every file an export to <paramref name="outputPath"/> writes, the model file first: the ONNX graph alone (image
    /// runs), the graph and the vocabulary named <paramref name="vocabFileName"/> beside it (text runs), or the state
    /// dict and <see cref="PyTorchConfig.FileName"/> beside it. Callers look at these before exporting so that no
    /// existing file, the companion files included, is replaced by surprise.
    /// </summary>
    public static IReadOnlyList<string> OutputFiles(string runDirectory, ExportFormat format, string? outputPath, string? vocabFileName = null)
    {
        var path = ResolveOutput(runDirectory, format, outputPath);
        var folder = Path.GetDirectoryName(path)!;
        if (format != ExportFormat.Onnx) return [path, Path.Combine(folder, PyTorchConfig.FileName)];
        return vocabFileName is null ? [path] : [path, Path.Combine(folder, vocabFileName)];
    }

    /// <summary>The output file for <paramref name="outputPath"/> (see the <c>Export</c> methods).</summary>
    public static string ResolveOutput(string runDirectory, ExportFormat format, string? outputPath)
    {
        if (outputPath is null) return Path.Combine(runDirectory, "export", format.DefaultFileName());
        if (Directory.Exists(outputPath) || outputPath.EndsWith('/') || outputPath.EndsWith(Path.DirectorySeparatorChar))
            return Path.GetFullPath(Path.Combine(outputPath, format.DefaultFileName()));
        return Path.GetFullPath(outputPath);
    }
}
