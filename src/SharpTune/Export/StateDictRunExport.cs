using SharpTune.Training;
using SharpTune.Weights;

namespace SharpTune.Export;

/// <summary>
/// Exports any run's weights as they are (its <c>model.safetensors</c>, parameter names unchanged) to safetensors or a
/// PyTorch <c>.pth</c>, with the run's <c>model.json</c> beside it as <c>config.json</c>: the export of model families
/// that have no architecture-specific one (a ResNet gets torchvision's config, <see cref="StateDictExporter"/>).
/// </summary>
public static class StateDictRunExport
{
    /// <summary>Writes the run's weights to <paramref name="output"/> (see <see cref="RunExporter.ResolveOutput"/>) and config.json beside them.</summary>
    public static ExportResult Export(RunDirectory run, ExportFormat format, string? output)
    {
        if (format == ExportFormat.Onnx) throw new ArgumentException("a state-dict export", nameof(format));
        var path = RunExporter.ResolveOutput(run.Path, format, output);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tensors = StateDictFile.Read(run.WeightsFile);
        try
        {
            if (format == ExportFormat.Pth) StateDictFile.WritePyTorch(path, tensors);
            else StateDictFile.WriteSafetensors(path, tensors);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        var config = Path.Combine(Path.GetDirectoryName(path)!, PyTorchConfig.FileName);
        IO.AtomicFile.WriteText(config, File.ReadAllText(run.ModelInfoFile));
        return new ExportResult(format, path, [path, config]);
    }
}
