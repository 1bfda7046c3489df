using SharpTune.Models;

namespace SharpTune.Training;

/// <summary>
/// <c>model.json</c>: everything needed to rebuild a trained classifier from <c>model.safetensors</c> and to
/// preprocess inputs for it.
/// </summary>
/// <param name="FormatVersion">Version of this file's layout; readers refuse versions they do not know.</param>
/// <param name="Model">Zoo name the run started from.</param>
/// <param name="Architecture">Architecture family (<c>resnet</c>).</param>
/// <param name="Block">Residual block type.</param>
/// <param name="Layers">Blocks per stage.</param>
/// <param name="Widths">Stage widths.</param>
/// <param name="Classes">Class names, in output order.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="InputSize">Crop size the model was trained at.</param>
/// <param name="ResizeSize">Shorter-side resize before the centre crop at test time.</param>
/// <param name="WeightsFile">Weights file name, relative to the run directory.</param>
public sealed record ModelInfo(
    int FormatVersion,
    string Model,
    string Architecture,
    ResNetBlock Block,
    IReadOnlyList<int> Layers,
    IReadOnlyList<int> Widths,
    IReadOnlyList<string> Classes,
    Normalization Normalization,
    int InputSize,
    int ResizeSize,
    string WeightsFile)
{
    /// <summary>The format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The ResNet shape described.</summary>
    public ResNetSpec Spec => new(Block, Layers, Widths);
}
