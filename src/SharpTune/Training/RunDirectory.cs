using System.Text;
using System.Text.Json;
using SharpTune.IO;

namespace SharpTune.Training;

/// <summary>
/// The layout of a run directory, the contract other tools read: <c>config.yaml</c>, <c>metrics.jsonl</c>,
/// <c>summary.json</c> (written last: its presence means complete), <c>model.safetensors</c> + <c>model.json</c>,
/// <c>curves.png</c> and <c>checkpoint/</c>.
/// </summary>
public sealed class RunDirectory(string path)
{
    /// <summary>The directory.</summary>
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Resolved configuration.</summary>
    public string ConfigFile => Combine("config.yaml");

    /// <summary>One JSON object per epoch.</summary>
    public string MetricsFile => Combine("metrics.jsonl");

    /// <summary>Outcome; present only when the run finished.</summary>
    public string SummaryFile => Combine("summary.json");

    /// <summary>Trained weights (PyTorch-compatible names).</summary>
    public string WeightsFile => Combine("model.safetensors");

    /// <summary>Architecture, classes and preprocessing of the trained model.</summary>
    public string ModelInfoFile => Combine("model.json");

    /// <summary>WordPiece vocabulary of a text model.</summary>
    public string VocabFile => Combine("vocab.txt");

    /// <summary>Loss and accuracy curves.</summary>
    public string CurvesFile => Combine("curves.png");

    /// <summary>Last complete epoch's checkpoint.</summary>
    public string CheckpointFolder => Combine("checkpoint");

    /// <summary>True when the folder holds anything besides its lock files (<see cref="IO.RunLock"/>).</summary>
    public bool HoldsRunFiles() =>
        Directory.Exists(Path) && Directory.EnumerateFileSystemEntries(Path).Any(p => !IO.RunLock.IsLockFile(System.IO.Path.GetFileName(p)));

    /// <summary>True when <c>summary.json</c> exists.</summary>
    public bool IsComplete => File.Exists(SummaryFile);

    /// <summary>Rewrites <c>metrics.jsonl</c> with <paramref name="metrics"/> (atomically).</summary>
    public void WriteMetrics(IEnumerable<EpochMetrics> metrics)
    {
        var sb = new StringBuilder();
        foreach (var m in metrics) sb.AppendLine(JsonSerializer.Serialize(m, RunJson.Compact));
        AtomicFile.WriteText(MetricsFile, sb.ToString());
    }

    /// <summary>Reads <c>metrics.jsonl</c>.</summary>
    public IReadOnlyList<EpochMetrics> ReadMetrics() =>
        File.Exists(MetricsFile)
            ? File.ReadLines(MetricsFile).Where(l => l.Length > 0)
                .Select(l => JsonSerializer.Deserialize<EpochMetrics>(l, RunJson.Compact)!).ToList()
            : [];

    /// <summary>The <c>architecture</c> of <c>model.json</c> (<c>resnet</c> or <c>bert</c>).</summary>
    public string ReadArchitecture() => RunJson.Read<ArchitectureOnly>(ModelInfoFile).Architecture ?? "";

    /// <summary>True when the run trained a text model.</summary>
    public bool IsText => ReadArchitecture() == TextModelInfo.BertArchitecture;

    /// <summary>Reads <c>model.json</c> of an image run, refusing unknown format versions and text runs.</summary>
    public ModelInfo ReadModelInfo()
    {
        if (IsText) throw new RunDirectoryException($"{ModelInfoFile}: a text model (bert); load it with TextClassifier.Load");
        var info = RunJson.Read<ModelInfo>(ModelInfoFile);
        CheckVersion(info.FormatVersion);
        return info;
    }

    /// <summary>Reads <c>model.json</c> of a text run.</summary>
    public TextModelInfo ReadTextModelInfo()
    {
        if (!IsText) throw new RunDirectoryException($"{ModelInfoFile}: not a text model (architecture '{ReadArchitecture()}')");
        var info = RunJson.Read<TextModelInfo>(ModelInfoFile);
        CheckVersion(info.FormatVersion);
        return info;
    }

    private void CheckVersion(int version)
    {
        if (version != ModelInfo.CurrentFormatVersion)
            throw new RunDirectoryException($"{ModelInfoFile}: format version {version}; this SharpTune reads version {ModelInfo.CurrentFormatVersion}");
    }

    private sealed record ArchitectureOnly(string? Architecture);

    /// <summary>Reads <c>summary.json</c>.</summary>
    public RunSummary ReadSummary() => RunJson.Read<RunSummary>(SummaryFile);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
