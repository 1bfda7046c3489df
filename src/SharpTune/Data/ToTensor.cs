namespace SharpTune.Data;

/// <summary>
/// torchvision's <c>ToTensor</c>: the image becomes a float [3, H, W] tensor of RGB values in 0–1 (value / 255).
/// It ends the geometric part of an <see cref="ImageTransforms"/> pipeline.
/// </summary>
public sealed record ToTensor : ImageTransform
{
    internal override void Apply(SampleGeometry image, SampleRandom rng) { }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) => input;
}
