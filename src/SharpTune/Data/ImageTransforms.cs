using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Data;

/// <summary>
/// A torchvision-style <c>Compose</c>: geometric steps (<see cref="RandomResizedCrop"/>, <see cref="RandomHorizontalFlip"/>,
/// <see cref="Resize"/>, <see cref="CenterCrop"/>), then <see cref="ToTensor"/>, then optionally one
/// <see cref="Normalize"/>. The geometric steps only describe the crop/resize/flip; the pixels are resampled once at the
/// end (bilinear with antialiasing, as PIL/torchvision; see <see cref="Resampler"/>) and written straight into the
/// [3, H, W] float output, normalised.
/// </summary>
/// <param name="Steps">The steps, in order.</param>
public sealed record ImageTransforms(IReadOnlyList<ImageTransform> Steps)
{
    private readonly IReadOnlyList<ImageTransform> _steps = Validate(Steps);
    private readonly float[][] _lut = BuildLut(Steps);
    private readonly int[] _planeOf = PlanesOf(Steps);

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<ImageTransform> Steps
    {
        get => _steps;
        init
        {
            _steps = Validate(value);
            _lut = BuildLut(value);
            _planeOf = PlanesOf(value);
        }
    }

    /// <summary>Composes <paramref name="steps"/> (torchvision's <c>transforms.Compose</c>).</summary>
    public static ImageTransforms Compose(params ImageTransform[] steps) => new(steps);

    /// <summary>d2l's training augmentation: <c>RandomResizedCrop(size)</c>, <c>RandomHorizontalFlip()</c>, <c>ToTensor()</c>, <c>Normalize</c>.</summary>
    public static ImageTransforms TrainD2l(int size, Normalization n) =>
        Compose(new RandomResizedCrop(size), new RandomHorizontalFlip(0.5), new ToTensor(), new Normalize(n));

    /// <summary>
    /// d2l's evaluation transform: <c>Resize([R, R])</c> with <c>R = round(size·256/224)</c> (square, as d2l and the
    /// peer script; <paramref name="keepAspect"/> uses <c>Resize(R)</c> on the shorter side instead), then
    /// <c>CenterCrop(size)</c>, <c>ToTensor()</c>, <c>Normalize</c>.
    /// </summary>
    public static ImageTransforms EvalD2l(int size, Normalization n, bool keepAspect = false)
    {
        int r = (int)Math.Round(size * 256 / 224.0);
        return Compose(keepAspect ? new Resize(r) : new Resize(r, r), new CenterCrop(size), new ToTensor(), new Normalize(n));
    }

    /// <summary>The normalisation applied after <see cref="ToTensor"/>, or null (plain 0–1 RGB).</summary>
    public Normalization? Normalization => _steps.OfType<Normalize>().FirstOrDefault()?.Normalization;

    /// <summary>Output height and width when they do not depend on the input image (needed for batching), else null.</summary>
    public (int Height, int Width)? OutputSize
    {
        get
        {
            (int, int)? size = null;
            foreach (var step in _steps) size = step.OutputSize(size);
            return size;
        }
    }

    /// <summary>Output size for an input image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public (int Height, int Width) OutputSizeFor(int height, int width)
    {
        (int, int)? size = (height, width);
        foreach (var step in _steps) size = step.OutputSize(size);
        return size!.Value;
    }

    /// <summary>Runs the pipeline on <paramref name="image"/>; returns the [3, H, W] values (channel-major) and H, W.</summary>
    public (float[] Chw, int Height, int Width) Apply(RgbImage image, SampleRandom rng)
    {
        var geometry = SampleGeometry.Start(image, image.Width, image.Height);
        foreach (var step in _steps) step.Apply(geometry, rng);
        var chw = new float[3 * geometry.Width * geometry.Height];
        geometry.RenderChw(chw, _lut, _planeOf);
        return (chw, geometry.Height, geometry.Width);
    }

    /// <summary>Runs the pipeline on <paramref name="image"/> and returns a [1, 3, H, W] float32 tensor.</summary>
    public Tensor ApplyToTensor(RgbImage image, SampleRandom? rng = null)
    {
        var (chw, h, w) = Apply(image, rng ?? new SampleRandom(0));
        return tensor(chw, [1, 3, h, w]);
    }

    /// <summary>Only the geometric steps, rendered as an RGB image (to look at the augmentation).</summary>
    public RgbImage ApplyGeometry(RgbImage image, SampleRandom rng)
    {
        var geometry = SampleGeometry.Start(image, image.Width, image.Height);
        foreach (var step in _steps) step.Apply(geometry, rng);
        return geometry.RenderRgb();
    }

    /// <summary>
    /// Runs the pipeline on <paramref name="source"/>, a version of an image of <paramref name="width"/>×
    /// <paramref name="height"/> pixels that may be stored smaller (scaled decode, cache): the geometry is computed on
    /// the full size. Writes the output into <paramref name="chw"/>, which must hold 3·H·W floats.
    /// </summary>
    internal (int Height, int Width) Run(RgbImage source, int width, int height, SampleRandom rng, Span<float> chw)
    {
        var geometry = SampleGeometry.Start(source, width, height);
        foreach (var step in _steps) step.Apply(geometry, rng);
        geometry.RenderChw(chw, _lut, _planeOf);
        return (geometry.Height, geometry.Width);
    }

    /// <summary>
    /// The smallest fraction of an image of <paramref name="width"/>×<paramref name="height"/> the first resizing step can
    /// use without upsampling what it would otherwise downsample (1: needs full resolution). Decoders may deliver any
    /// size at least this large.
    /// </summary>
    internal double MinSourceScale(int width, int height)
    {
        foreach (var step in _steps)
        {
            switch (step)
            {
                case RandomHorizontalFlip:
                    continue;
                case RandomResizedCrop c:
                    {
                        // Narrowest and lowest crops it can draw, in pixels of the full image.
                        double area = c.ScaleMin * width * height;
                        double minW = Math.Sqrt(area * Math.Min(c.RatioMin, c.RatioMax));
                        double minH = Math.Sqrt(area / Math.Max(c.RatioMin, c.RatioMax));
                        return Math.Min(1, Math.Max(c.Width / minW, c.Height / minH));
                    }
                case Resize r:
                    {
                        var (h, w) = r.OutputSizeFor(height, width);
                        return Math.Min(1, Math.Max((double)w / width, (double)h / height));
                    }
                default:
                    return 1;
            }
        }
        return 1;
    }

    /// <summary>
    /// Scale at which the loader's cache stores an image: <see cref="MinSourceScale"/>, but no more than
    /// <paramref name="shortSideFactor"/> × the first resizing step's shorter output side on the image's shorter side.
    /// </summary>
    internal double CacheScale(int width, int height, double shortSideFactor)
    {
        double need = MinSourceScale(width, height);
        int? outShort = null;
        foreach (var step in _steps)
        {
            if (step is RandomHorizontalFlip) continue;
            outShort = step switch
            {
                RandomResizedCrop c => Math.Min(c.Height, c.Width),
                Resize r => Math.Min(r.OutputSizeFor(height, width).Height, r.OutputSizeFor(height, width).Width),
                _ => null,
            };
            break;
        }
        if (outShort is null) return need;
        return Math.Min(need, Math.Min(1, shortSideFactor * outShort.Value / Math.Min(width, height)));
    }

    private static IReadOnlyList<ImageTransform> Validate(IReadOnlyList<ImageTransform> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        int toTensor = -1;
        for (int i = 0; i < steps.Count; i++)
        {
            switch (steps[i])
            {
                case null:
                    throw new ArgumentException($"step {i} is null", nameof(steps));
                case ToTensor when toTensor >= 0:
                    throw new ArgumentException("ToTensor appears twice", nameof(steps));
                case ToTensor:
                    toTensor = i;
                    break;
                case Normalize when toTensor < 0:
                    throw new ArgumentException("Normalize must come after ToTensor (it works on tensors, as in torchvision)", nameof(steps));
                case Normalize when i != steps.Count - 1:
                    throw new ArgumentException("Normalize must be the last step", nameof(steps));
                case Normalize:
                    break;
                default:
                    if (toTensor >= 0)
                        throw new ArgumentException($"{steps[i].GetType().Name} works on images and must come before ToTensor", nameof(steps));
                    break;
            }
        }
        if (toTensor < 0) throw new ArgumentException("the pipeline needs a ToTensor step", nameof(steps));
        return steps.ToArray();
    }

    /// <summary>Value of each 0–255 pixel of each RGB channel in the output.</summary>
    private static float[][] BuildLut(IReadOnlyList<ImageTransform> steps)
    {
        var n = steps.OfType<Normalize>().FirstOrDefault()?.Normalization;
        var lut = new float[3][];
        for (int c = 0; c < 3; c++)
        {
            lut[c] = new float[256];
            for (int v = 0; v < 256; v++) lut[c][v] = n is null ? v / 255f : n.Apply(c, v);
        }
        return lut;
    }

    /// <summary>Output plane of each RGB channel (BGR models get red in plane 2).</summary>
    private static int[] PlanesOf(IReadOnlyList<ImageTransform> steps)
    {
        var n = steps.OfType<Normalize>().FirstOrDefault()?.Normalization;
        return [n?.ModelChannelOf(0) ?? 0, n?.ModelChannelOf(1) ?? 1, n?.ModelChannelOf(2) ?? 2];
    }
}
