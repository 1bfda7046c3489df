using SharpTune.IO;
using SkiaSharp;

namespace SharpTune.Data.Idx;

/// <summary>One split to import from IDX files.</summary>
/// <param name="Split">Split folder name (<c>train</c>, <c>test</c>).</param>
/// <param name="ImagesFile">IDX images file ([N, H, W] bytes).</param>
/// <param name="LabelsFile">IDX labels file ([N] bytes).</param>
/// <param name="PerClass">How many images of each class to take (the first ones in file order); 0 = all.</param>
public sealed record IdxSplit(string Split, string ImagesFile, string LabelsFile, int PerClass);

/// <summary>Writes IDX (MNIST-format) images as an ImageFolder tree of grey PNG files: OUT/split/class/NNNNN.png.</summary>
public static class IdxImport
{
    /// <summary>
    /// Imports <paramref name="splits"/> into <paramref name="outRoot"/>; class folder names come from
    /// <paramref name="classNames"/> (label id → name). File names are the image's index in its IDX file, zero-padded,
    /// so the subset is reproducible. Returns the number of files written per split.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Run(IReadOnlyList<IdxSplit> splits, IReadOnlyList<string> classNames, string outRoot)
    {
        var written = new Dictionary<string, int>();
        foreach (var split in splits)
        {
            var (dims, pixels) = IdxFile.Read(split.ImagesFile);
            var (labelDims, labels) = IdxFile.Read(split.LabelsFile);
            if (dims.Length != 3) throw new DataException($"{split.ImagesFile}: expected [N, H, W] images, got rank {dims.Length}");
            if (labelDims.Length != 1 || labelDims[0] != dims[0])
                throw new DataException($"{split.LabelsFile}: {labelDims.FirstOrDefault()} labels for {dims[0]} images in {split.ImagesFile}");
            int h = dims[1], w = dims[2], size = h * w;
            var taken = new int[classNames.Count];
            int count = 0;
            for (int i = 0; i < dims[0]; i++)
            {
                int label = labels[i];
                if (label >= classNames.Count) throw new DataException($"{split.LabelsFile}: label {label} at index {i} has no class name");
                if (split.PerClass > 0 && taken[label] >= split.PerClass) continue;
                taken[label]++;
                var path = Path.Combine(outRoot, split.Split, classNames[label], $"{i:D5}.png");
                WritePng(path, pixels.AsSpan(i * size, size), w, h);
                count++;
            }
            written[split.Split] = count;
        }
        return written;
    }

    private static void WritePng(string path, ReadOnlySpan<byte> grey, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        grey.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => data.SaveTo(s));
    }
}
