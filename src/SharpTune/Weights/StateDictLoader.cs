using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>Options for <see cref="StateDictLoader.Load"/>.</summary>
/// <param name="ClassifierKeys">Keys of the module's classifier.</param>
/// <param name="DropClassifier">Never load the classifier keys (a new head is wanted).</param>
/// <param name="Strict">Fail when module keys are missing or source keys are unexpected (classifier keys and BatchNorm
/// <c>num_batches_tracked</c> counters excepted).</param>
public sealed record LoadOptions(IReadOnlyList<string> ClassifierKeys, bool DropClassifier = false, bool Strict = true);

/// <summary>Copies a state dict into a module, with a report and clear errors.</summary>
public static class StateDictLoader
{
    /// <summary>
    /// Copies matching tensors of <paramref name="source"/> into <paramref name="module"/>'s parameters and buffers.
    /// A classifier whose shape differs from the module's is skipped (timm's rule), so pretrained bodies load into
    /// models with any class count.
    /// </summary>
    /// <exception cref="WeightsException">A tensor's shape differs (the message names it and both shapes), or in strict
    /// mode the source is for another architecture.</exception>
    public static LoadReport Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string sourceName, LoadOptions options)
    {
        var target = module.state_dict();
        var classifier = new HashSet<string>(options.ClassifierKeys);
        var loaded = new List<string>();
        var skipped = new List<string>();
        var missing = target.Keys.Where(k => !source.ContainsKey(k) && !classifier.Contains(k) && !IsCounter(k)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k) && !classifier.Contains(k)).ToList();

        if (options.Strict && (missing.Count > 0 || unexpected.Count > 0))
        {
            throw new WeightsException(
                $"{sourceName}: weights do not fit this architecture: {missing.Count} keys missing" +
                Preview(missing) + $", {unexpected.Count} unexpected" + Preview(unexpected));
        }

        // Check every shape before copying anything, so a failed load leaves the module untouched.
        foreach (var (key, dst) in target)
        {
            if (!source.TryGetValue(key, out var src)) continue;
            if (src.shape.SequenceEqual(dst.shape)) continue;
            if (classifier.Contains(key)) continue;
            throw new WeightsException(
                $"{sourceName}: tensor '{key}' has shape {Shape(src)} in the file but {Shape(dst)} in the model");
        }

        using var noGrad = no_grad();
        foreach (var (key, dst) in target)
        {
            if (!source.TryGetValue(key, out var src)) continue;
            if (classifier.Contains(key) && (options.DropClassifier || !src.shape.SequenceEqual(dst.shape)))
            {
                skipped.Add(key);
                continue;
            }
            dst.copy_(src.to(dst.dtype));
            loaded.Add(key);
        }
        foreach (var key in classifier.Where(k => source.ContainsKey(k) && !target.ContainsKey(k))) skipped.Add(key);
        return new LoadReport(sourceName, loaded, missing, unexpected, skipped);
    }

    /// <summary>Reads <paramref name="path"/> (safetensors or .pth) and loads it into <paramref name="module"/>, disposing the file's tensors.</summary>
    public static LoadReport LoadFile(nn.Module module, string path, LoadOptions options)
    {
        var tensors = StateDictFile.Read(path);
        try
        {
            return Load(module, tensors, path, options);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static bool IsCounter(string key) => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static string Preview(List<string> keys) =>
        keys.Count == 0 ? "" : " (" + string.Join(", ", keys.Take(3)) + (keys.Count > 3 ? ", …" : "") + ")";
}
