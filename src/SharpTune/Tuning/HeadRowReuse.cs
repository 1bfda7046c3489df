using System.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>One head row copied from a source classifier.</summary>
/// <param name="TargetIndex">Row in the new head.</param>
/// <param name="TargetClass">Class name in the new dataset.</param>
/// <param name="SourceIndex">Row in the source classifier.</param>
/// <param name="SourceClass">Class name in the source classifier.</param>
public sealed record ReusedRow(int TargetIndex, string TargetClass, int SourceIndex, string SourceClass);

/// <summary>
/// Initialises rows of a new head from a pretrained classifier for the classes both share, matched by name
/// (case-insensitive; '-', '_' and spaces are equal). Other rows keep their initialisation.
/// </summary>
public static class HeadRowReuse
{
    /// <summary>Normalised form used to compare class names.</summary>
    public static string Key(string className)
    {
        var sb = new StringBuilder(className.Length);
        foreach (var ch in className.Trim())
            sb.Append(ch is '-' or '_' or ' ' ? ' ' : char.ToLowerInvariant(ch));
        return sb.ToString();
    }

    /// <summary>Copies matching rows of (<paramref name="sourceWeight"/>, <paramref name="sourceBias"/>) into <paramref name="head"/>.</summary>
    public static IReadOnlyList<ReusedRow> Apply(Linear head, IReadOnlyList<string> targetClasses,
        Tensor sourceWeight, Tensor? sourceBias, IReadOnlyList<string> sourceClasses)
    {
        if (sourceWeight.shape.Length != 2 || sourceWeight.shape[1] != head.in_features)
            throw new ArgumentException($"source classifier weight has shape [{string.Join(", ", sourceWeight.shape)}], expected [*, {head.in_features}]");
        if (sourceWeight.shape[0] != sourceClasses.Count)
            throw new ArgumentException($"source classifier has {sourceWeight.shape[0]} rows but {sourceClasses.Count} class names");

        var sourceIndex = new Dictionary<string, int>();
        for (int i = 0; i < sourceClasses.Count; i++) sourceIndex.TryAdd(Key(sourceClasses[i]), i);

        var reused = new List<ReusedRow>();
        using var noGrad = no_grad();
        for (int t = 0; t < targetClasses.Count; t++)
        {
            if (!sourceIndex.TryGetValue(Key(targetClasses[t]), out int s)) continue;
            head.weight![t].copy_(sourceWeight[s]);
            if (head.bias is not null && sourceBias is not null) head.bias[t].copy_(sourceBias[s]);
            reused.Add(new ReusedRow(t, targetClasses[t], s, sourceClasses[s]));
        }
        return reused;
    }
}
