using SharpTune.Data;
using SharpTune.Inference;
using SharpTune.Weights;

namespace SharpTune.Onnx;

/// <summary>
/// Checks an exported ONNX classifier against the TorchSharp model it came from: both backends classify the same
/// images (one batch of several, then each image alone, which also exercises the dynamic batch dimension); the
/// result is the largest absolute difference of logits and probabilities.
/// </summary>
public static partial class OnnxExportVerifier
{
    /// <summary>Runs <paramref name="model"/> and the ONNX file on <paramref name="images"/>; per image, the largest difference.</summary>
    public static ParityResult Verify(SharpTuneModel model, string onnxPath, IReadOnlyList<RgbImage> images, int? threads = null)
    {
        using var onnx = OnnxClassifier.Load(onnxPath, threads);
        if (!onnx.Classes.SequenceEqual(model.Classes))
            throw new WeightsException($"{onnxPath}: classes [{string.Join(", ", onnx.Classes)}] differ from the run's [{string.Join(", ", model.Classes)}]");
        if (onnx.Preprocessing != model.Preprocessing)
            throw new WeightsException($"{onnxPath}: preprocessing {onnx.Preprocessing} differs from the run's {model.Preprocessing}");

        var diffs = new double[images.Count];
        double absSum = 0;
        long count = 0;
        var ours = model.Logits(images);
        var oursP = model.Probabilities(images);
        var batched = onnx.RunGraph(images);
        Accumulate(ours, oursP, batched, 0, images.Count, diffs, 0, ref absSum, ref count);
        for (int i = 0; i < images.Count; i++)
        {
            var single = onnx.RunGraph([images[i]]);
            Accumulate(ours, oursP, single, i, 1, diffs, i, ref absSum, ref count);
        }
        return new ParityResult(diffs, absSum / Math.Max(1, count));
    }

    /// <summary>
    /// Deterministic test images: a colour gradient and random pixels (uniform 0–255), at sizes around
    /// <paramref name="size"/> (square, wide and tall), so that resizing and cropping run too.
    /// </summary>
    public static List<RgbImage> SampleImages(int size, int count, int seed)
    {
        var random = new Random(seed);
        var images = new List<RgbImage>();
        for (int i = 0; i < count; i++)
        {
            int w = i % 3 == 1 ? size * 3 / 2 : size, h = i % 3 == 2 ? size * 3 / 2 : size;
            var pixels = new byte[w * h * 3];
            if (i == 0)
            {
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                    {
                        int p = (y * w + x) * 3;
                        (pixels[p], pixels[p + 1], pixels[p + 2]) = ((byte)(255 * x / Math.Max(1, w - 1)), (byte)(255 * y / Math.Max(1, h - 1)), 128);
                    }
            }
            else
            {
                random.NextBytes(pixels);
            }
            images.Add(new RgbImage(w, h, pixels));
        }
        return images;
    }

    private static void Accumulate(float[,] logits, float[,] probabilities, (float[,] Logits, float[,] Probabilities) onnx,
        int firstRow, int rows, double[] diffs, int firstDiff, ref double absSum, ref long count)
    {
        int columns = logits.GetLength(1);
        for (int r = 0; r < rows; r++)
        {
            double max = diffs[firstDiff + r];
            for (int c = 0; c < columns; c++)
            {
                float a = logits[firstRow + r, c];
                max = Math.Max(max, Math.Abs(a - onnx.Logits[r, c]));
                max = Math.Max(max, Math.Abs(probabilities[firstRow + r, c] - onnx.Probabilities[r, c]));
                absSum += Math.Abs(a);
                count++;
            }
            diffs[firstDiff + r] = max;
        }
    }
}
