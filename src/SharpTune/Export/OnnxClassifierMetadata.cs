using System.Globalization;
using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Weights;

namespace SharpTune.Export;

/// <summary>
/// What an exported classifier's ONNX <c>metadata_props</c> say, so that a consumer needs nothing but the file:
/// <list type="table">
/// <item><term><c>sharptune.metadata_version</c></term><description><c>1</c>; readers refuse versions they do not know.</description></item>
/// <item><term><c>classes</c></term><description>JSON array of class names, in output order.</description></item>
/// <item><term><c>preprocessing</c></term><description>JSON: <c>resize_size</c>, <c>keep_aspect</c>, <c>crop_size</c>,
/// <c>interpolation</c>, <c>antialias</c>, <c>normalization</c> {<c>channel_order</c>, <c>pixel_scale</c>, <c>mean</c>, <c>std</c>}:
/// <c>x = (pixel / 255 * pixel_scale - mean[c]) / std[c]</c>, channels in <c>channel_order</c>.</description></item>
/// <item><term><c>input</c></term><description>JSON: <c>name</c>, <c>kind</c> (<c>normalized</c> or <c>rgb_pixels</c>),
/// <c>dtype</c>, <c>layout</c>: see <see cref="OnnxInputKind"/>.</description></item>
/// <item><term><c>outputs</c></term><description>JSON array: <c>logits</c> and <c>probabilities</c> (softmax), both [batch, classes].</description></item>
/// <item><term><c>architecture</c>, <c>model</c></term><description>Architecture family (<c>resnet</c>) and the zoo model the run started from.</description></item>
/// <item><term><c>preprocessing_text</c></term><description>The same steps in words, for people.</description></item>
/// </list>
/// </summary>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Preprocessing">Resize, crop and normalisation.</param>
/// <param name="InputKind">What the graph input expects.</param>
/// <param name="Architecture">Architecture family.</param>
/// <param name="Model">Zoo model name the run started from.</param>
public sealed record OnnxClassifierMetadata(
    IReadOnlyList<string> Classes,
    ClassifierPreprocessing Preprocessing,
    OnnxInputKind InputKind,
    string Architecture,
    string Model)
{
    /// <summary>Version of this metadata layout.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Key of the metadata version.</summary>
    public const string VersionKey = "sharptune.metadata_version";

    /// <summary>Name of the logits output.</summary>
    public const string LogitsOutput = "logits";

    /// <summary>Name of the probabilities output.</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>Name of the graph input.</summary>
    public string InputName => InputKind == OnnxInputKind.RgbPixels ? "pixels" : "input";

    /// <summary>The <c>metadata_props</c> entries.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var input = InputKind == OnnxInputKind.RgbPixels
            ? new InputJson(InputName, "rgb_pixels", "uint8", "nhwc")
            : new InputJson(InputName, "normalized", "float32", "nchw");
        return new Dictionary<string, string>
        {
            [VersionKey] = CurrentVersion.ToString(CultureInfo.InvariantCulture),
            ["classes"] = JsonSerializer.Serialize(Classes, RunJson.Compact),
            ["preprocessing"] = JsonSerializer.Serialize(Preprocessing, RunJson.Compact),
            ["input"] = JsonSerializer.Serialize(input, RunJson.Compact),
            ["outputs"] = JsonSerializer.Serialize(new[] { LogitsOutput, ProbabilitiesOutput }, RunJson.Compact),
            ["architecture"] = Architecture,
            ["model"] = Model,
            ["preprocessing_text"] = Describe(Preprocessing, InputKind),
        };
    }

    /// <summary>Reads the metadata of the ONNX file <paramref name="file"/> from its <c>metadata_props</c>.</summary>
    /// <exception cref="WeightsException">Not written by SharpTune, written by a newer one, or malformed.</exception>
    public static OnnxClassifierMetadata Parse(IReadOnlyDictionary<string, string> properties, string file)
    {
        if (!properties.TryGetValue(VersionKey, out var versionText))
            throw new WeightsException($"{file}: no SharpTune metadata ('{VersionKey}' missing): export the model with 'sharptune export --format onnx'");
        if (!int.TryParse(versionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int version) || version != CurrentVersion)
            throw new WeightsException($"{file}: metadata version {versionText}; this SharpTune reads version {CurrentVersion}");
        if (properties.GetValueOrDefault("architecture") == TextModelInfo.BertArchitecture)
            throw new WeightsException($"{file}: a text classifier (bert), not an image classifier; tokenise as its 'tokenizer' metadata say and " +
                                       "feed input_ids and attention_mask (see OnnxTextClassifierMetadata)");
        try
        {
            var classes = JsonSerializer.Deserialize<List<string>>(Get(properties, "classes", file), RunJson.Compact)!;
            var preprocessing = JsonSerializer.Deserialize<ClassifierPreprocessing>(Get(properties, "preprocessing", file), RunJson.Compact)!;
            var input = JsonSerializer.Deserialize<InputJson>(Get(properties, "input", file), RunJson.Compact)!;
            var kind = input.Kind switch
            {
                "normalized" => OnnxInputKind.Normalized,
                "rgb_pixels" => OnnxInputKind.RgbPixels,
                _ => throw new WeightsException($"{file}: metadata 'input' has unknown kind '{input.Kind}'"),
            };
            if (classes.Count == 0) throw new WeightsException($"{file}: metadata 'classes' is empty");
            if (preprocessing.Normalization is null || preprocessing.CropSize < 1 || preprocessing.ResizeSize < 1)
                throw new WeightsException($"{file}: metadata 'preprocessing' is incomplete");
            return new OnnxClassifierMetadata(classes, preprocessing, kind,
                properties.GetValueOrDefault("architecture", "unknown"), properties.GetValueOrDefault("model", "unknown"));
        }
        catch (JsonException e)
        {
            throw new WeightsException($"{file}: malformed SharpTune metadata ({e.Message})");
        }
    }

    /// <summary>The preprocessing in words (also the ONNX model's doc string).</summary>
    public static string Describe(ClassifierPreprocessing p, OnnxInputKind kind)
    {
        var n = p.Normalization;
        var inv = CultureInfo.InvariantCulture;
        string resize = p.KeepAspect
            ? $"resize the shorter side to {p.ResizeSize} px"
            : $"resize to {p.ResizeSize}x{p.ResizeSize} px (aspect ratio not kept)";
        string steps = $"Decode to 8-bit RGB (EXIF orientation applied), {resize} with antialiased bilinear filtering (PIL/torchvision), " +
                       $"centre-crop {p.CropSize}x{p.CropSize}";
        string norm = $"then x = (pixel / 255 * {n.PixelScale.ToString(inv)} - mean[c]) / std[c] with channels in {n.ChannelOrder.ToString().ToUpperInvariant()} order, " +
                      $"mean [{string.Join(", ", n.Mean.Select(v => v.ToString(inv)))}], std [{string.Join(", ", n.Std.Select(v => v.ToString(inv)))}]";
        return kind == OnnxInputKind.RgbPixels
            ? $"{steps}; feed the pixels as uint8 [batch, {p.CropSize}, {p.CropSize}, 3] RGB to 'pixels' (the graph does the rest: {norm})."
            : $"{steps}, {norm}; feed float32 [batch, 3, {p.CropSize}, {p.CropSize}] to 'input'.";
    }

    private static string Get(IReadOnlyDictionary<string, string> properties, string key, string file) =>
        properties.TryGetValue(key, out var value) ? value : throw new WeightsException($"{file}: SharpTune metadata lacks '{key}'");

    private sealed record InputJson(string Name, string Kind, string Dtype, string Layout);
}
