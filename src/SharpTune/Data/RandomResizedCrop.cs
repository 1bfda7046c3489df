namespace SharpTune.Data;

/// <summary>
/// torchvision's <c>RandomResizedCrop(size, scale, ratio)</c>: crops a random region whose area is a uniform fraction
/// in <paramref name="ScaleMin"/>…<paramref name="ScaleMax"/> of the image and whose aspect ratio w/h is log-uniform in
/// <paramref name="RatioMin"/>…<paramref name="RatioMax"/>, then resizes it to <paramref name="Height"/>×<paramref name="Width"/>
/// (bilinear, antialiased). After 10 rejected draws it falls back to a centre crop (see <see cref="GetParams(int, int, double, double, double, double, SampleRandom)"/>).
/// </summary>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
/// <param name="ScaleMin">Smallest area fraction (torchvision: 0.08).</param>
/// <param name="ScaleMax">Largest area fraction (1).</param>
/// <param name="RatioMin">Smallest aspect ratio w/h (3/4).</param>
/// <param name="RatioMax">Largest aspect ratio w/h (4/3).</param>
public sealed record RandomResizedCrop(int Height, int Width, double ScaleMin = 0.08, double ScaleMax = 1.0,
                                       double RatioMin = 3.0 / 4.0, double RatioMax = 4.0 / 3.0) : ImageTransform
{
    /// <summary>A square output of <paramref name="size"/> pixels with torchvision's default scale and ratio.</summary>
    public RandomResizedCrop(int size) : this(size, size) { }

    /// <summary>
    /// torchvision's <c>RandomResizedCrop.get_params</c>: up to 10 draws of (area fraction uniform in the scale range,
    /// log-uniform aspect ratio), <c>w = round(sqrt(area·ratio))</c>, <c>h = round(sqrt(area/ratio))</c>, accepted when
    /// it fits, placed uniformly. Otherwise a centre crop: the whole image, or, when the image's ratio lies outside
    /// the range, the largest centred crop with the clamped ratio. Rounding is Python's (half to even).
    /// </summary>
    public static CropBox GetParams(int height, int width, double scaleMin, double scaleMax, double ratioMin, double ratioMax, SampleRandom rng)
    {
        double area = (double)height * width;
        double logMin = Math.Log(ratioMin), logMax = Math.Log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = area * rng.Uniform(scaleMin, scaleMax);
            double aspect = Math.Exp(rng.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int i = rng.NextInt(0, height - h + 1);
                int j = rng.NextInt(0, width - w + 1);
                return new CropBox(i, j, h, w);
            }
        }
        // Fallback to a central crop.
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < Math.Min(ratioMin, ratioMax))
        {
            cw = width;
            ch = (int)Math.Round(cw / Math.Min(ratioMin, ratioMax));
        }
        else if (inRatio > Math.Max(ratioMin, ratioMax))
        {
            ch = height;
            cw = (int)Math.Round(ch * Math.Max(ratioMin, ratioMax));
        }
        else
        {
            cw = width;
            ch = height;
        }
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>The crop this transform draws for an image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public CropBox GetParams(int height, int width, SampleRandom rng) =>
        GetParams(height, width, ScaleMin, ScaleMax, RatioMin, RatioMax, rng);

    internal override void Apply(SampleGeometry image, SampleRandom rng)
    {
        var box = GetParams(image.Height, image.Width, rng);
        image.Crop(box.Top, box.Left, box.Height, box.Width);
        image.Resize(Height, Width);
    }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) => (Height, Width);
}
