namespace SharpTune.Data;

/// <summary>torchvision's <c>RandomHorizontalFlip(p)</c>: mirrors the image left–right with probability <paramref name="P"/>.</summary>
/// <param name="P">Probability of a flip (torchvision's default 0.5).</param>
public sealed record RandomHorizontalFlip(double P = 0.5) : ImageTransform
{
    internal override void Apply(SampleGeometry image, SampleRandom rng)
    {
        if (rng.NextDouble() < P) image.FlipHorizontal();
    }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) => input;
}
