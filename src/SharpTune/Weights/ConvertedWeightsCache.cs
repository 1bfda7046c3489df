using System.Security.Cryptography;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// Caches weights converted from another format as safetensors in <see cref="SharpTuneCache.WeightsFolder"/>, keyed by
/// a name and the SHA-256 of the source file: later loads skip the conversion; an unreadable entry is rebuilt.
/// </summary>
public static class ConvertedWeightsCache
{
    /// <summary>
    /// Serves <c>&lt;cacheName&gt;-&lt;sha256 of sourcePath, 16 hex&gt;.safetensors</c> from the cache, or runs
    /// <paramref name="convert"/>, writes its result there (atomically) and returns it.
    /// </summary>
    public static PretrainedStateDict LoadOrConvert(string cacheName, string sourcePath, Func<Dictionary<string, Tensor>> convert)
    {
        var cachePath = Path.Combine(SharpTuneCache.WeightsFolder, $"{cacheName}-{Sha256Prefix(sourcePath)}.safetensors");
        if (File.Exists(cachePath))
        {
            try
            {
                return new PretrainedStateDict(StateDictFile.Read(cachePath), sourcePath, cachePath, FromCache: true);
            }
            catch (WeightsException)
            {
                // An unreadable cache entry (e.g. a disk that filled up outside SharpTune) is rebuilt, not fatal.
            }
        }
        var tensors = convert();
        StateDictFile.WriteSafetensors(cachePath, tensors);
        return new PretrainedStateDict(tensors, sourcePath, cachePath, FromCache: false);
    }

    private static string Sha256Prefix(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..16];
    }
}
