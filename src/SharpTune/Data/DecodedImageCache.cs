using System.Collections.Concurrent;

namespace SharpTune.Data;

/// <summary>
/// Decoded (downscaled) images kept in memory between epochs, up to a byte budget. It fills until the budget is
/// reached and then keeps what it has: epochs read the samples in a cycle, for which evicting (LRU) would throw away
/// every image before its next use.
/// </summary>
internal sealed class DecodedImageCache(long capacityBytes)
{
    private readonly ConcurrentDictionary<int, CachedImage> _images = new();
    private long _bytes;

    internal sealed record CachedImage(RgbImage Image, int FullWidth, int FullHeight);

    public long CapacityBytes { get; } = capacityBytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _images.Count;

    public bool TryGet(int index, out CachedImage image) => _images.TryGetValue(index, out image!);

    /// <summary>Stores the image when it fits in the remaining budget.</summary>
    public void TryAdd(int index, CachedImage image)
    {
        long size = image.Image.ByteCount + 64;
        while (true)
        {
            long current = Interlocked.Read(ref _bytes);
            if (current + size > CapacityBytes) return;
            if (Interlocked.CompareExchange(ref _bytes, current + size, current) == current) break;
        }
        if (!_images.TryAdd(index, image)) Interlocked.Add(ref _bytes, -size);
    }
}
