using SharpTune.Data;
using SharpTune.Models;
using SharpTune.Training;

namespace SharpTune.Inference;

/// <summary>
/// What an image goes through before a trained classifier sees it (torchvision's evaluation transform):
/// resize to <see cref="ResizeSize"/> (bilinear with antialiasing, as PIL), centre crop <see cref="CropSize"/>, then
/// <see cref="Normalization"/>. Stored in <c>model.json</c>, in exported ONNX metadata and in <c>config.json</c>.
/// </summary>
/// <param name="ResizeSize">Resize target: both sides (square, d2l's <c>Resize([R, R])</c>), or the shorter side when <paramref name="KeepAspect"/>.</param>
/// <param name="KeepAspect">True: <c>Resize(R)</c> on the shorter side; false: <c>Resize([R, R])</c>, ignoring the aspect ratio.</param>
/// <param name="CropSize">Side of the square centre crop: the model's input size.</param>
/// <param name="Normalization">How 0–255 RGB pixels become the model's input values.</param>
public sealed record ClassifierPreprocessing(int ResizeSize, bool KeepAspect, int CropSize, Normalization Normalization)
{
    /// <summary>Resampling filter of the resize (PIL's bilinear: a triangle filter widened when downscaling).</summary>
    public string Interpolation => "bilinear";

    /// <summary>Whether the resize antialiases when it downscales (torchvision's default for PIL images).</summary>
    public bool Antialias => true;

    /// <summary>The preprocessing a run directory's model was trained with (its test-time transform).</summary>
    public static ClassifierPreprocessing For(ModelInfo info) =>
        new(info.ResizeSize, KeepAspect: false, info.InputSize, info.Normalization);

    /// <summary>The same steps as an <see cref="ImageTransforms"/> pipeline.</summary>
    public ImageTransforms ToTransforms() => ImageTransforms.Compose(
        KeepAspect ? new Resize(ResizeSize) : new Resize(ResizeSize, ResizeSize),
        new CenterCrop(CropSize), new ToTensor(), new Normalize(Normalization));
}
