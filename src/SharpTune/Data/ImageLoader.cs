using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using static TorchSharp.torch;

namespace SharpTune.Data;

/// <summary>
/// Batches of transformed images for training and evaluation. Background worker threads decode and augment while the
/// consumer trains; each worker fills its own bounded channel (batches w, w+W, w+2W, …) and the consumer reads them
/// round-robin, so batches arrive in order and at most <see cref="LoaderOptions.Prefetch"/> wait ready. Workers fill
/// pooled float buffers; tensors are created on the consumer's thread (TorchSharp dispose scopes are per thread).
/// Everything random is fixed by (seed, epoch, sample index): the same epoch gives the same batches whatever the
/// worker count, timing or cache. A file that fails to decode is left out of its batch (which is then one image
/// short), reported once through <see cref="BadImageFound"/> and listed in <see cref="BadImagesSeen"/>; it never throws.
/// </summary>
public sealed class ImageLoader : IDisposable
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
    private CancellationTokenSource? _epochCancel;
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
        var order = EpochOrder(epoch);
        int batches = BatchesPerEpoch;
        int workers = _options.Workers;
        using var cancel = new CancellationTokenSource();
        _epochCancel = cancel;
        var channels = new Channel<PreparedBatch>[workers];
        var threads = new Thread[workers];
        try
        {
            int capacity = Math.Max(1, _options.Prefetch / Math.Max(1, workers));
            for (int w = 0; w < workers; w++)
            {
                channels[w] = Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(capacity)
                {
                    SingleReader = true,
                    SingleWriter = true,
                    FullMode = BoundedChannelFullMode.Wait,
                });
                int first = w;
                var writer = channels[w].Writer;
                threads[w] = new Thread(() => Produce(first, workers, batches, order, epoch, writer, cancel.Token))
                {
                    IsBackground = true,
                    Name = $"SharpTune data worker {w}",
                };
                threads[w].Start();
            }

            for (int b = 0; b < batches; b++)
            {
                PreparedBatch prepared;
                if (workers == 0)
                {
                    long start = Stopwatch.GetTimestamp();
                    prepared = Prepare(b, order, epoch);
                    Interlocked.Add(ref _waitTicks, Stopwatch.GetElapsedTime(start).Ticks);
                }
                else
                {
                    prepared = Receive(channels[b % workers].Reader, cancel.Token);
                }
                var batch = ToBatch(prepared);
                if (batch is not null) yield return batch;
            }
        }
        finally
        {
            cancel.Cancel();
            foreach (var t in threads) t?.Join();
            foreach (var c in channels)
                if (c is not null)
                    while (c.Reader.TryRead(out var left)) _buffers.Add(left.Buffer);
            _epochCancel = null;
            Interlocked.Exchange(ref _active, 0);
        }
    }

    private PreparedBatch Receive(ChannelReader<PreparedBatch> reader, CancellationToken token)
    {
        if (reader.TryRead(out var ready)) return ready;
        long start = Stopwatch.GetTimestamp();
        try
        {
            return reader.ReadAsync(token).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        finally
        {
            Interlocked.Add(ref _waitTicks, Stopwatch.GetElapsedTime(start).Ticks);
        }
    }

    private void Produce(int first, int step, int batches, int[] order, int epoch, ChannelWriter<PreparedBatch> writer, CancellationToken token)
    {
        try
        {
            for (int b = first; b < batches; b += step)
            {
                token.ThrowIfCancellationRequested();
                var prepared = Prepare(b, order, epoch);
                try
                {
                    writer.WriteAsync(prepared, token).AsTask().GetAwaiter().GetResult();
                }
                catch
                {
                    _buffers.Add(prepared.Buffer);
                    throw;
                }
            }
            writer.TryComplete();
        }
        catch (OperationCanceledException)
        {
            writer.TryComplete();
        }
        catch (Exception e)
        {
            writer.TryComplete(e);
        }
    }

    /// <summary>Decodes and transforms the samples of batch <paramref name="b"/> into a pooled buffer.</summary>
    private PreparedBatch Prepare(int b, int[] order, int epoch)
    {
        int size = _options.BatchSize;
        if (!_buffers.TryTake(out var buffer)) buffer = new float[size * _chw];
        var labels = new long[size];
        var indices = new int[size];
        List<BadImage>? bad = null;
        int count = 0;
        int end = Math.Min((b + 1) * size, order.Length);
        for (int k = b * size; k < end; k++)
        {
            int index = order[k];
            var sample = _samples[index];
            if (_knownBad.ContainsKey(sample.Path)) continue;
            var rng = SampleRandom.For(_options.Seed, epoch, index);
            var reason = _preparer.Prepare(index, sample.Path, rng, buffer.AsSpan(count * _chw, _chw));
            if (reason is not null)
            {
                var image = new BadImage(sample.Path, reason);
                if (_knownBad.TryAdd(sample.Path, image)) (bad ??= []).Add(image);
                continue;
            }
            labels[count] = sample.Label;
            indices[count] = index;
            count++;
        }
        return new PreparedBatch(b, buffer, labels, indices, count, bad);
    }

    /// <summary>On the consumer thread: reports bad files, copies the buffer into tensors and returns it to the pool.</summary>
    private ImageBatch? ToBatch(PreparedBatch prepared)
    {
        try
        {
            if (prepared.Bad is not null)
            {
                lock (_badSeen) _badSeen.AddRange(prepared.Bad);
                foreach (var bad in prepared.Bad) BadImageFound?.Invoke(bad);
            }
            int n = prepared.Count;
            if (n == 0) return null;
            var (h, w) = ImageSize;
            var images = empty([n, 3, h, w], ScalarType.Float32);
            try
            {
                images.data<float>().CopyFrom(new ReadOnlySpan<float>(prepared.Buffer, 0, n * _chw), 0, 0);
            }
            catch
            {
                images.Dispose();
                throw;
            }
            var labels = tensor(prepared.Labels.AsSpan(0, n).ToArray(), [n], ScalarType.Int64);
            return new ImageBatch(prepared.Index, images, labels, prepared.Indices.AsSpan(0, n).ToArray());
        }
        finally
        {
            _buffers.Add(prepared.Buffer);
        }
    }

    /// <summary>Stops a running epoch's workers and drops pooled buffers and cached images.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { _epochCancel?.Cancel(); } catch (ObjectDisposedException) { }
        _buffers.Clear();
    }

    private sealed record PreparedBatch(int Index, float[] Buffer, long[] Labels, int[] Indices, int Count, List<BadImage>? Bad);
}
