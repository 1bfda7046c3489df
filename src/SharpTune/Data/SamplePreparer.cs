namespace SharpTune.Data;

/// <summary>
/// Turns one sample into its transformed [3, H, W] values: decode (JPEG at a reduced DCT scale when the transforms
/// need fewer pixels), or take the decoded image from the cache, then run the transforms. Safe to call from several
/// threads at once.
/// </summary>
internal sealed class SamplePreparer(ImageTransforms transforms, DecodedImageCache? cache, double cacheShortSideFactor, long maxPixels)
{
    /// <summary>Prepares sample <paramref name="index"/> into <paramref name="chw"/>; returns null, or why the file cannot be used.</summary>
    public string? Prepare(int index, string path, SampleRandom rng, Span<float> chw)
    {
        RgbImage source;
        int width, height;
        if (cache is not null && cache.TryGet(index, out var cached))
        {
            (source, width, height) = (cached.Image, cached.FullWidth, cached.FullHeight);
        }
        else
        {
            try
            {
                (source, width, height) = Decode(index, path);
            }
            catch (BadImageException e)
            {
                return e.Reason;
            }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
            {
                return $"cannot decode: {e.GetType().Name}: {e.Message}";
            }
        }
        transforms.Run(source, width, height, rng, chw);
        return null;
    }

    private (RgbImage Image, int Width, int Height) Decode(int index, string path)
    {
        if (cache is null)
        {
            var (image, header) = ImageDecoder.DecodeCore(path, h => transforms.MinSourceScale(h.Width, h.Height), maxPixels);
            return (image, header.Width, header.Height);
        }
        var (decoded, full) = ImageDecoder.DecodeCore(path, h => transforms.CacheScale(h.Width, h.Height, cacheShortSideFactor), maxPixels);
        // Store (and use) exactly the cache's size, so a cached and a freshly decoded image give the same pixels.
        double scale = transforms.CacheScale(full.Width, full.Height, cacheShortSideFactor);
        int w = Math.Max(1, (int)Math.Round(full.Width * scale)), h = Math.Max(1, (int)Math.Round(full.Height * scale));
        if (decoded.Width > w || decoded.Height > h)
        {
            var geometry = SampleGeometry.Start(decoded, decoded.Width, decoded.Height);
            geometry.Resize(Math.Min(h, decoded.Height), Math.Min(w, decoded.Width));
            decoded = geometry.RenderRgb();
        }
        cache.TryAdd(index, new DecodedImageCache.CachedImage(decoded, full.Width, full.Height));
        return (decoded, full.Width, full.Height);
    }
}
