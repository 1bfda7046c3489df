namespace SharpTune.Data;

/// <summary>
/// One step of an <see cref="ImageTransforms"/> pipeline, with torchvision's name, parameters and geometry.
/// The set is closed: <see cref="RandomResizedCrop"/>, <see cref="RandomHorizontalFlip"/>, <see cref="Resize"/>,
/// <see cref="CenterCrop"/>, <see cref="ToTensor"/>, <see cref="Normalize"/>.
/// </summary>
public abstract record ImageTransform
{
    private protected ImageTransform() { }

    /// <summary>Applies the step to the pending geometry, drawing from <paramref name="rng"/> when it is random.</summary>
    internal abstract void Apply(SampleGeometry image, SampleRandom rng);

    /// <summary>Output size for an input of the given size (null: unknown input size), or null when it depends on the input.</summary>
    internal abstract (int Height, int Width)? OutputSize((int Height, int Width)? input);
}

/// <summary>A crop rectangle in pixels, torchvision's <c>(i, j, h, w)</c>: top row, left column, height, width.</summary>
/// <param name="Top">First row (negative: padding above).</param>
/// <param name="Left">First column (negative: padding on the left).</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);
