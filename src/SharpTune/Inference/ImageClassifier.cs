using static TorchSharp.torch;
using System.Runtime.ExceptionServices;
using SharpTune.Data;

namespace SharpTune.Inference;

/// <summary>
/// The backend-independent part of an <see cref="IImageClassifier"/>: decoding (in parallel), batching, top-k.
/// A backend implements <see cref="Probabilities"/> (preprocessing and one forward pass) and nothing else, so that
/// every backend answers the same calls the same way.
/// </summary>
public abstract class ImageClassifier : IImageClassifier
{
    private int _maxBatchSize = 32;

    /// <summary>Creates the shared part for a model with <paramref name="classes"/> and <paramref name="preprocessing"/>.</summary>
    protected ImageClassifier(IReadOnlyList<string> classes, ClassifierPreprocessing preprocessing)
    {
        if (classes.Count == 0) throw new ArgumentException("a classifier needs at least one class", nameof(classes));
        Classes = classes;
        Preprocessing = preprocessing;
        Transforms = preprocessing.ToTransforms();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Classes { get; }

    /// <inheritdoc />
    public ClassifierPreprocessing Preprocessing { get; }

    /// <summary>The preprocessing as an image pipeline (stateless, safe to share between threads).</summary>
    protected ImageTransforms Transforms { get; }

    /// <inheritdoc />
    public int MaxBatchSize
    {
        get => _maxBatchSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBatchSize = value;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<Prediction> Predict(string imagePath, int topK = 5) => PredictBatch([imagePath], topK)[0];

    /// <inheritdoc />
    public IReadOnlyList<Prediction> Predict(Stream image, int topK = 5) =>
        PredictBatch([ImageDecoder.Decode(image, image is FileStream f ? f.Name : "stream")], topK)[0];

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> imagePaths, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        var results = new List<IReadOnlyList<Prediction>>(imagePaths.Count);
        for (int start = 0; start < imagePaths.Count; start += MaxBatchSize)
        {
            var chunk = imagePaths.Skip(start).Take(MaxBatchSize).ToList();
            results.AddRange(PredictBatch(DecodeAll(chunk), topK));
        }
        return results;
    }

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<RgbImage> images, int topK = 5)
    {
        ArgumentNullException.ThrowIfNull(images);
        ThrowIfDisposed();
        var results = new List<IReadOnlyList<Prediction>>(images.Count);
        for (int start = 0; start < images.Count; start += MaxBatchSize)
        {
            var chunk = images.Skip(start).Take(MaxBatchSize).ToList();
            var p = Probabilities(chunk);
            for (int i = 0; i < chunk.Count; i++) results.Add(TopK(p, i, topK));
        }
        return results;
    }

    /// <inheritdoc />
    public float[,] Probabilities(IReadOnlyList<RgbImage> images)
    {
        var logits = Logits(images);
        int rows = logits.GetLength(0), columns = logits.GetLength(1);
        var flat = new float[rows * columns];
        Buffer.BlockCopy(logits, 0, flat, 0, flat.Length * sizeof(float));
        return Softmax(flat, rows, columns);
    }

    /// <inheritdoc />
    public abstract float[,] Logits(IReadOnlyList<RgbImage> images);

    /// <summary>True once <see cref="Dispose()"/> has run.</summary>
    protected bool IsDisposed { get; private set; }

    /// <summary>Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose()"/>.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    /// <summary>The preprocessed batch of <paramref name="images"/> as a [N, 3, H, W] tensor (the caller disposes it).</summary>
    protected Tensor InputTensor(IReadOnlyList<RgbImage> images)
    {
        var (values, h, w) = NormalizedBatch(images);
        return tensor(values, [images.Count, 3, h, w]);
    }

    /// <summary>A [N, classes] logits tensor as a managed array.</summary>
    protected static float[,] ToArray(Tensor logits)
    {
        var result = new float[logits.shape[0], logits.shape[1]];
        var flat = logits.data<float>().ToArray();
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    /// <summary>
    /// Preprocesses <paramref name="images"/> (in parallel) into one [N, 3, H, W] float array in the model's input
    /// space; returns it with H and W.
    /// </summary>
    protected (float[] Values, int Height, int Width) NormalizedBatch(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images", nameof(images));
        int size = Preprocessing.CropSize, plane = 3 * size * size;
        var batch = new float[images.Count * plane];
        Parallel.For(0, images.Count, i =>
        {
            var (chw, h, w) = Transforms.Apply(images[i], new SampleRandom(0));
            if (h != size || w != size) throw new InvalidOperationException($"preprocessing gave {h}x{w}, expected {size}x{size}");
            chw.CopyTo(batch, i * plane);
        });
        return (batch, size, size);
    }

    /// <summary>
    /// Resizes and crops <paramref name="images"/> (in parallel) without normalising: one [N, H, W, 3] byte array of
    /// RGB pixels, for graphs that normalise themselves. Same pixels as <see cref="NormalizedBatch"/> before its
    /// normalisation.
    /// </summary>
    protected (byte[] Values, int Height, int Width) PixelBatch(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images", nameof(images));
        int size = Preprocessing.CropSize, plane = 3 * size * size;
        var batch = new byte[images.Count * plane];
        Parallel.For(0, images.Count, i =>
        {
            var rgb = Transforms.ApplyGeometry(images[i], new SampleRandom(0));
            if (rgb.Height != size || rgb.Width != size) throw new InvalidOperationException($"preprocessing gave {rgb.Height}x{rgb.Width}, expected {size}x{size}");
            Array.Copy(rgb.Pixels, 0, batch, i * plane, plane);
        });
        return (batch, size, size);
    }

    /// <summary>Softmax over each row of <paramref name="logits"/> ([N, C], row-major).</summary>
    protected static float[,] Softmax(ReadOnlySpan<float> logits, int rows, int columns)
    {
        var result = new float[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            var row = logits.Slice(r * columns, columns);
            float max = float.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            for (int c = 0; c < columns; c++) sum += Math.Exp(row[c] - max);
            for (int c = 0; c < columns; c++) result[r, c] = (float)(Math.Exp(row[c] - max) / sum);
        }
        return result;
    }

    /// <summary>Releases the backend's resources.</summary>
    protected abstract void DisposeBackend();

    /// <inheritdoc />
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        DisposeBackend();
        GC.SuppressFinalize(this);
    }

    /// <summary>Decodes image files in parallel; a failure is rethrown as itself (not wrapped), naming its file.</summary>
    private static RgbImage[] DecodeAll(IReadOnlyList<string> paths)
    {
        var images = new RgbImage[paths.Count];
        var errors = new Exception?[paths.Count];
        // Every file is tried (a throwing Parallel.For stops scheduling the rest, so which error surfaced would depend
        // on timing); the earliest failure in input order is reported, as a sequential loop would.
        Parallel.For(0, paths.Count, i =>
        {
            try
            {
                if (!File.Exists(paths[i]))
                    throw new DataException(Directory.Exists(paths[i]) ? $"{paths[i]}: is a directory, not an image file" : $"{paths[i]}: file not found");
                images[i] = ImageDecoder.Decode(paths[i]);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        if (errors.FirstOrDefault(e => e is not null) is { } first) ExceptionDispatchInfo.Capture(first).Throw();
        return images;
    }

    private IReadOnlyList<Prediction> TopK(float[,] p, int row, int topK) =>
        Enumerable.Range(0, Classes.Count)
            .Select(k => new Prediction(Classes[k], k, p[row, k]))
            .OrderByDescending(r => r.Probability).ThenBy(r => r.Index)
            .Take(Math.Max(1, topK)).ToList();
}
