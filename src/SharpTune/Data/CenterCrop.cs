namespace SharpTune.Data;

/// <summary>
/// torchvision's <c>CenterCrop</c>: the centred <paramref name="Height"/>×<paramref name="Width"/> region, at offsets
/// <c>int(round((H − h) / 2))</c> and <c>int(round((W − w) / 2))</c>; a side shorter than the crop is first padded
/// with black, <c>(crop − side) // 2</c> before and the rest after.
/// </summary>
/// <param name="Height">Crop height.</param>
/// <param name="Width">Crop width.</param>
public sealed record CenterCrop(int Height, int Width) : ImageTransform
{
    /// <summary>A square centre crop.</summary>
    public CenterCrop(int size) : this(size, size) { }

    /// <summary>The crop box (negative offsets mean padding) for an image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static CropBox Box(int height, int width, int cropHeight, int cropWidth) =>
        new(Offset(height, cropHeight), Offset(width, cropWidth), cropHeight, cropWidth);

    private static int Offset(int side, int crop) =>
        crop > side
            ? -((crop - side) / 2) // padded: left/top padding is (crop - side) // 2
            : (int)Math.Round((side - crop) / 2.0); // Python round: half to even

    internal override void Apply(SampleGeometry image, SampleRandom rng)
    {
        var box = Box(image.Height, image.Width, Height, Width);
        image.Crop(box.Top, box.Left, box.Height, box.Width);
    }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) => (Height, Width);
}
