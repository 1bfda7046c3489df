using SharpTune.Training;
using SharpTune.Weights;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Export;

/// <summary>
/// Exports a trained model's state dict with its PyTorch (torchvision) names, as safetensors or as a PyTorch
/// <c>.pth</c>, plus <c>config.json</c> (<see cref="PyTorchConfig"/>) in the same folder. The state dict is the one
/// PyTorch's <c>model.state_dict()</c> would have (BatchNorm's <c>num_batches_tracked</c> included), so
/// <c>model.load_state_dict(...)</c> works with <c>strict=True</c>.
/// </summary>
public static class StateDictExporter
{
    /// <summary>Writes the weights to <paramref name="path"/> and <c>config.json</c> beside it; returns both paths.</summary>
    public static IReadOnlyList<string> Export(ResNet model, ModelInfo info, ExportFormat format, string path)
    {
        if (format == ExportFormat.Onnx) throw new ArgumentException("use ResNetOnnxExporter for ONNX", nameof(format));
        var full = Path.GetFullPath(path);
        var stateDict = model.state_dict();
        if (format == ExportFormat.Pth) StateDictFile.WritePyTorch(full, stateDict);
        else StateDictFile.WriteSafetensors(full, stateDict);
        var config = Path.Combine(Path.GetDirectoryName(full)!, PyTorchConfig.FileName);
        RunJson.Write(config, PyTorchConfig.For(info, Path.GetFileName(full), format));
        return [full, config];
    }
}
