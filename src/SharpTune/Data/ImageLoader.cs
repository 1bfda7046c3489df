using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SharpTune.Data;

/// <summary>
/// Batches of transformed images for training and evaluation. Background worker threads (plain threads) decode and
/// augment while the consumer trains: they claim samples one at a time, in epoch order, from a shared cursor that may
/// run at most <see cref="LoaderOptions.Prefetch"/> batches ahead of the consumer, so several workers share even a
/// single batch and batches complete in order. Workers fill pooled float buffers; tensors are created on the
/// consumer's thread (TorchSharp dispose scopes are per thread), with one copy.
/// Everything random is fixed by (seed, epoch, sample index): the same epoch gives the same batches whatever the
/// worker count, timing or cache. A file that fails to decode is left out of its batch (which is then one image
/// short), reported once through <see cref="BadImageFound"/> and listed in <see cref="BadImagesSeen"/>; it never throws.
/// </summary>
public sealed partial class ImageLoader : IDisposable
{
    private readonly ImageSample[] _samples;
    private readonly LoaderOptions _options;
    private readonly SamplePreparer _preparer;
    private readonly DecodedImageCache? _cache;
    private readonly int _chw;
    private readonly ConcurrentDictionary<string, BadImage> _knownBad = new(StringComparer.Ordinal);
    private readonly List<BadImage> _badSeen = [];
    private readonly ConcurrentBag<float[]> _buffers = [];
    private long _waitTicks;
    private int _active;
    private EpochRun? _epochRun;
    private bool _disposed;

    /// <summary>Creates a loader over <paramref name="samples"/>; <paramref name="transforms"/> must produce a fixed size.</summary>
    /// <param name="samples">The images and their labels (e.g. <see cref="ImageFolder.Samples"/>).</param>
    /// <param name="transforms">Per-image pipeline (e.g. <see cref="ImageTransforms.TrainD2l"/>).</param>
    /// <param name="options">Batch size, shuffle, seed, workers, prefetch, cache.</param>
    /// <param name="maxPixels">Largest declared image size decoded (see <see cref="ImageDecoder.DefaultMaxPixels"/>).</param>
    public ImageLoader(IReadOnlyList<ImageSample> samples, ImageTransforms transforms, LoaderOptions options,
                       long maxPixels = ImageDecoder.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(transforms);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ImageSize = transforms.OutputSize
            ?? throw new ArgumentException("the transforms must produce a fixed image size to batch (end with a crop or a Resize((h, w)))", nameof(transforms));
        _samples = [.. samples];
        Transforms = transforms;
        _options = options;
        _chw = 3 * ImageSize.Height * ImageSize.Width;
        _cache = options.CacheBytes > 0 ? new DecodedImageCache(options.CacheBytes) : null;
        _preparer = new SamplePreparer(transforms, _cache, options.CacheShortSideFactor, maxPixels);
    }

    /// <summary>The per-image pipeline.</summary>
    public ImageTransforms Transforms { get; }

    /// <summary>The options this loader runs with.</summary>
    public LoaderOptions Options => _options;

    /// <summary>Number of samples.</summary>
    public int SampleCount => _samples.Length;

    /// <summary>Height and width of every image of a batch.</summary>
    public (int Height, int Width) ImageSize { get; }

    /// <summary>Batches in an epoch (a batch whose files all fail to decode is left out, so an epoch can yield fewer).</summary>
    public int BatchesPerEpoch => _options.DropLast
        ? _samples.Length / _options.BatchSize
        : (_samples.Length + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>Time the consumer spent blocked waiting for batches during the last (or current) epoch.</summary>
    public TimeSpan LastEpochWaitTime => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>Files that failed to decode while loading (each once, in the order they were met).</summary>
    public IReadOnlyList<BadImage> BadImagesSeen
    {
        get { lock (_badSeen) return [.. _badSeen]; }
    }

    /// <summary>Raised on the consumer's thread, once per file, when a file fails to decode while loading.</summary>
    public event Action<BadImage>? BadImageFound;

    /// <summary>Bytes of decoded images held by the cache.</summary>
    public long CacheBytesUsed => _cache?.Bytes ?? 0;

    /// <summary>Number of decoded images held by the cache.</summary>
    public int CachedImages => _cache?.Count ?? 0;

    /// <summary>Sample indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] EpochOrder(int epoch)
    {
        if (!_options.Shuffle) return Enumerable.Range(0, _samples.Length).ToArray();
        return SampleRandom.For(_options.Seed, epoch, -1).Permutation(_samples.Length);
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, in order. Workers start with the enumeration and stop when it
    /// ends or is abandoned (disposing the enumerator). One epoch at a time per loader.
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Run(epoch);
    }

    private IEnumerable<ImageBatch> Run(int epoch)
    {
        if (Interlocked.CompareExchange(ref _active, 1, 0) != 0)
            throw new InvalidOperationException("an epoch of this loader is already being enumerated; finish or dispose it first");
        Interlocked.Exchange(ref _waitTicks, 0);
        var run = new EpochRun(this, epoch);
        _epochRun = run;
        var threads = new Thread[_options.Workers];
        try
        {
            for (int w = 0; w < threads.Length; w++)
            {
                threads[w] = new Thread(run.Work) { IsBackground = true, Name = $"SharpTune data worker {w}" };
                threads[w].Start();
            }
            for (int b = 0; b < run.Batches.Length; b++)
            {
                long start = Stopwatch.GetTimestamp();
                var slot = threads.Length == 0 ? run.PrepareInline(b) : run.WaitFor(b);
                Interlocked.Add(ref _waitTicks, Stopwatch.GetElapsedTime(start).Ticks);
                var batch = ToBatch(slot);
                run.Consumed(b);
                if (batch is not null) yield return batch;
            }
        }
        finally
        {
            run.Cancel();
            foreach (var t in threads) t?.Join();
            run.ReturnBuffers();
            _epochRun = null;
            Interlocked.Exchange(ref _active, 0);
        }
    }

    /// <summary>On the consumer thread: reports bad files, copies the buffer into tensors and returns it to the pool.</summary>
    private ImageBatch? ToBatch(BatchSlot slot)
    {
        try
        {
            if (!slot.Bad.IsEmpty)
            {
                var bad = slot.Bad.OrderBy(x => x.Position).Select(x => x.Image).ToList();
                lock (_badSeen) _badSeen.AddRange(bad);
                foreach (var b in bad) BadImageFound?.Invoke(b);
            }
            int n = slot.Count;
            if (n == 0) return null;
            var (h, w) = ImageSize;
            var images = empty([n, 3, h, w], ScalarType.Float32);
            try
            {
                // Tensor.bytes is a view of the new tensor's (contiguous, CPU) memory: one memcpy.
                var destination = MemoryMarshal.Cast<byte, float>(images.bytes);
                new ReadOnlySpan<float>(slot.Buffer, 0, n * _chw).CopyTo(destination);
            }
            catch
            {
                images.Dispose();
                throw;
            }
            var labels = tensor(slot.Labels.AsSpan(0, n).ToArray(), [n], ScalarType.Int64);
            return new ImageBatch(slot.Index, images, labels, slot.Indices.AsSpan(0, n).ToArray());
        }
        finally
        {
            ReturnBuffer(slot.Buffer);
            slot.Buffer = null;
        }
    }

    private float[] RentBuffer() => _buffers.TryTake(out var buffer) ? buffer : new float[_options.BatchSize * _chw];

    private void ReturnBuffer(float[]? buffer)
    {
        if (buffer is not null && !_disposed) _buffers.Add(buffer);
    }

    /// <summary>Stops a running epoch's workers and drops pooled buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _epochRun?.Cancel(wakeConsumer: true);
        _buffers.Clear();
    }
}
