namespace SharpTune.Weights;

/// <summary>What happened when a state dict was loaded into a module.</summary>
/// <param name="Source">The file or source the weights came from.</param>
/// <param name="Loaded">Keys copied into the module.</param>
/// <param name="Missing">Module keys the source did not have (left as initialised).</param>
/// <param name="Unexpected">Source keys the module does not have (ignored).</param>
/// <param name="SkippedClassifier">Classifier keys left out on purpose (class count differs, or a new head is wanted).</param>
public sealed record LoadReport(
    string Source,
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> SkippedClassifier)
{
    /// <summary>True when the weights were served from SharpTune's conversion cache.</summary>
    public bool FromCache { get; init; }

    /// <summary>One line for logs: counts and the first few keys of each kind.</summary>
    public string Summary()
    {
        static string List(IReadOnlyList<string> keys) =>
            keys.Count == 0 ? "" : " (" + string.Join(", ", keys.Take(4)) + (keys.Count > 4 ? ", …" : "") + ")";
        return $"{Source}: loaded {Loaded.Count}, missing {Missing.Count}{List(Missing)}, " +
               $"unexpected {Unexpected.Count}{List(Unexpected)}, classifier skipped {SkippedClassifier.Count}{List(SkippedClassifier)}";
    }
}
