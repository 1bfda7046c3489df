using SharpTune.Models;

namespace SharpTune.Data;

/// <summary>
/// torchvision's <c>Normalize</c>, with the values taken from the model's <see cref="Models.Normalization"/> (channel order,
/// pixel scale, mean, std): each value becomes <see cref="Normalization.Apply(int, float)"/> of the 0–255 pixel.
/// For <see cref="Normalization.ImageNetRgb"/> that is <c>(x − mean) / std</c> on 0–1 RGB, exactly torchvision's; for
/// the zoo's ResNet-18 it is BGR, 0–255, minus the channel means.
/// </summary>
/// <param name="Normalization">The model's pretrained normalisation.</param>
public sealed record Normalize(Normalization Normalization) : ImageTransform
{
    internal override void Apply(SampleGeometry image, SampleRandom rng) { }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) => input;
}
