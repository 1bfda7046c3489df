namespace SharpTune.Data;

/// <summary>How an <see cref="ImageLoader"/> batches and prepares images.</summary>
/// <param name="BatchSize">Images per batch.</param>
/// <param name="Shuffle">Shuffle the sample order every epoch (from <paramref name="Seed"/> and the epoch); false keeps the dataset order (evaluation).</param>
/// <param name="Seed">Seed of the shuffle and of every sample's augmentation.</param>
/// <param name="Workers">Background threads decoding and augmenting (0: on the consumer's thread, when it asks for a batch).</param>
/// <param name="Prefetch">Batches prepared ahead of the consumer, at most (bounds memory: each is BatchSize·3·H·W floats).</param>
/// <param name="CacheBytes">
/// Memory for decoded images kept between epochs (0: none), so later epochs skip decoding. Cached images are stored
/// downscaled (see <paramref name="CacheShortSideFactor"/>); with a cache every image is prepared from that stored
/// size, cached yet or not, so results do not depend on what happens to be in the cache.
/// </param>
/// <param name="DropLast">Leave out the last batch when it is smaller than <paramref name="BatchSize"/>.</param>
/// <param name="CacheShortSideFactor">
/// With a cache: an image's shorter side is stored at no more than this multiple of the first resize step's shorter
/// output side (2: 448 px for a 224 px random resized crop; evaluation's <c>Resize(256)</c> keeps 256 px, exact).
/// </param>
/// <param name="Shard">
/// Data parallelism: this process loads only its part of every batch (<see cref="DataShard"/>); null = whole batches.
/// <paramref name="BatchSize"/> stays the global batch size.
/// </param>
public sealed record LoaderOptions(int BatchSize, bool Shuffle, int Seed, int Workers = 2, int Prefetch = 4, long CacheBytes = 0,
                                   bool DropLast = false, double CacheShortSideFactor = 2.0, DataShard? Shard = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> for values that cannot work.</summary>
    public void Validate()
    {
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (Workers < 0) throw new ArgumentException($"workers must be 0 or more, got {Workers}");
        if (Prefetch < 1) throw new ArgumentException($"prefetch must be at least 1, got {Prefetch}");
        if (CacheBytes < 0) throw new ArgumentException($"cache bytes must be 0 or more, got {CacheBytes}");
        if (!(CacheShortSideFactor >= 1)) throw new ArgumentException($"cache short-side factor must be at least 1, got {CacheShortSideFactor}");
    }
}
