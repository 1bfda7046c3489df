using System.Globalization;
using System.Text.Json.Serialization;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Training;

namespace SharpTune.Export;

/// <summary>
/// <c>config.json</c> beside an exported state dict: what a PyTorch user needs to rebuild the network, load the
/// weights and feed it correctly. Snake_case JSON (see <see cref="RunJson"/>).
/// </summary>
/// <param name="Format">Always <c>sharptune-classifier</c>.</param>
/// <param name="FormatVersion">Version of this file's layout.</param>
/// <param name="Architecture">Architecture family (<c>resnet</c>).</param>
/// <param name="Model">Zoo model the run started from.</param>
/// <param name="Block">Residual block type (<c>basic</c> or <c>bottleneck</c>).</param>
/// <param name="Layers">Blocks per stage.</param>
/// <param name="Widths">Stage widths (torchvision: 64, 128, 256, 512).</param>
/// <param name="NumClasses">Classifier outputs.</param>
/// <param name="Classes">Class names, in output order.</param>
/// <param name="Id2Label">Output index (as a string) → class name, Hugging Face style.</param>
/// <param name="WeightsFile">The state dict's file name, relative to this file.</param>
/// <param name="WeightsFormat"><c>safetensors</c> or <c>pth</c>.</param>
/// <param name="Preprocessing">Resize, crop and normalisation.</param>
/// <param name="Torchvision">Python expression that builds the network with torchvision (null for non-standard widths).</param>
/// <param name="TorchvisionTransform">Python expression of the matching torchvision transform.</param>
public sealed record PyTorchConfig(
    string Format,
    int FormatVersion,
    string Architecture,
    string Model,
    ResNetBlock Block,
    IReadOnlyList<int> Layers,
    IReadOnlyList<int> Widths,
    int NumClasses,
    IReadOnlyList<string> Classes,
    [property: JsonPropertyName("id2label")] IReadOnlyDictionary<string, string> Id2Label,
    string WeightsFile,
    string WeightsFormat,
    ClassifierPreprocessing Preprocessing,
    string? Torchvision,
    string TorchvisionTransform)
{
    /// <summary>The file name written beside the weights.</summary>
    public const string FileName = "config.json";

    /// <summary>Version of this layout.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The configuration of a run's model, exported to <paramref name="weightsFile"/>.</summary>
    public static PyTorchConfig For(ModelInfo info, string weightsFile, ExportFormat format)
    {
        var pre = ClassifierPreprocessing.For(info);
        bool standard = info.Widths.SequenceEqual([64, 128, 256, 512]);
        string block = info.Block == ResNetBlock.Basic ? "BasicBlock" : "Bottleneck";
        string? torchvision = standard
            ? $"torchvision.models.resnet.ResNet(torchvision.models.resnet.{block}, [{string.Join(", ", info.Layers)}], num_classes={info.Classes.Count})"
            : null;
        return new PyTorchConfig("sharptune-classifier", CurrentFormatVersion, info.Architecture, info.Model, info.Block,
            info.Layers, info.Widths, info.Classes.Count, info.Classes,
            info.Classes.Select((c, i) => (c, i)).ToDictionary(x => x.i.ToString(CultureInfo.InvariantCulture), x => x.c),
            weightsFile, format == ExportFormat.Pth ? "pth" : "safetensors", pre, torchvision, TransformExpression(pre));
    }

    /// <summary>
    /// torchvision transforms equivalent to <paramref name="p"/>, e.g. <c>T.Compose([T.Resize((128, 128)),
    /// T.CenterCrop(112), T.ToTensor(), T.Normalize(mean, std)])</c> (with <c>import torchvision.transforms as T</c>).
    /// </summary>
    public static string TransformExpression(ClassifierPreprocessing p)
    {
        var n = p.Normalization;
        var inv = CultureInfo.InvariantCulture;
        string List(IEnumerable<float> v) => "[" + string.Join(", ", v.Select(x => x.ToString("0.########", inv))) + "]";
        var steps = new List<string>
        {
            p.KeepAspect ? $"T.Resize({p.ResizeSize})" : $"T.Resize(({p.ResizeSize}, {p.ResizeSize}))",
            $"T.CenterCrop({p.CropSize})",
            "T.ToTensor()",
        };
        if (n.ChannelOrder == ChannelOrder.Bgr) steps.Add("T.Lambda(lambda x: x.flip(0))");
        if (n.PixelScale != 1f) steps.Add($"T.Lambda(lambda x: x * {n.PixelScale.ToString(inv)})");
        steps.Add($"T.Normalize(mean={List(n.Mean)}, std={List(n.Std)})");
        return $"T.Compose([{string.Join(", ", steps)}])";
    }
}
