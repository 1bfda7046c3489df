namespace SharpTune.Data;

/// <summary>
/// torchvision's <c>Resize</c> (bilinear, antialiased). <c>Resize(size)</c> scales the shorter side to
/// <c>size</c> and the longer one to <c>int(size * long / short)</c>; <c>Resize(height, width)</c> resizes to exactly
/// that, ignoring the aspect ratio.
/// </summary>
public sealed record Resize : ImageTransform
{
    /// <summary>Shorter side to <paramref name="size"/>, aspect ratio kept (torchvision <c>Resize(size)</c>).</summary>
    public Resize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ShorterSide = size;
    }

    /// <summary>Exactly <paramref name="height"/>×<paramref name="width"/> (torchvision <c>Resize((h, w))</c>).</summary>
    public Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Height = height;
        Width = width;
    }

    /// <summary>Target of the shorter side, or null for a fixed size.</summary>
    public int? ShorterSide { get; }

    /// <summary>Fixed output height, or null when the shorter side is given.</summary>
    public int? Height { get; }

    /// <summary>Fixed output width, or null when the shorter side is given.</summary>
    public int? Width { get; }

    /// <summary>
    /// torchvision's <c>_compute_resized_output_size</c> for <c>Resize(size)</c>: the shorter side becomes
    /// <paramref name="size"/>, the longer <c>int(size * long / short)</c> (truncated).
    /// </summary>
    public static (int Height, int Width) ShorterSideSize(int size, int height, int width)
    {
        bool wide = width > height;
        int shortSide = wide ? height : width, longSide = wide ? width : height;
        int newLong = (int)(size * (double)longSide / shortSide);
        return wide ? (size, newLong) : (newLong, size);
    }

    /// <summary>Output size for an input of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSizeFor(int height, int width) =>
        ShorterSide is int s ? ShorterSideSize(s, height, width) : (Height!.Value, Width!.Value);

    internal override void Apply(SampleGeometry image, SampleRandom rng)
    {
        var (h, w) = OutputSizeFor(image.Height, image.Width);
        image.Resize(h, w);
    }

    internal override (int Height, int Width)? OutputSize((int Height, int Width)? input) =>
        ShorterSide is null ? (Height!.Value, Width!.Value) : input is { } i ? OutputSizeFor(i.Height, i.Width) : null;
}
