using System.Text;
using SharpTune.Data;

namespace SharpTune.Text;

/// <summary>How a text dataset is laid out on disk.</summary>
public enum TextLayout
{
    /// <summary><c>DIR/{train,test|val}/&lt;class&gt;/*.txt</c>, one document per file.</summary>
    Folders,
    /// <summary><c>DIR/{train,test|val}.{csv,tsv,jsonl}</c> with text and label columns.</summary>
    Tables,
}

/// <summary>One split of a text dataset.</summary>
/// <param name="Name">Split name (<c>train</c>, <c>test</c>, <c>val</c>).</param>
/// <param name="Path">Its folder or table file.</param>
/// <param name="Samples">The usable documents, in file (or row) order.</param>
/// <param name="BadRecords">Rows or files left out, with line numbers and reasons.</param>
public sealed record TextSplit(string Name, string Path, IReadOnlyList<TextSample> Samples, IReadOnlyList<BadRecord> BadRecords)
{
    /// <summary>Documents per class index.</summary>
    public IReadOnlyList<int> ClassCounts(int classes)
    {
        var counts = new int[classes];
        foreach (var s in Samples) counts[s.Label]++;
        return counts;
    }
}

/// <summary>The train and test splits of a text dataset and their shared classes.</summary>
/// <param name="Root">The dataset folder.</param>
/// <param name="Layout">Folders of .txt files or tables.</param>
/// <param name="Classes">Class names in index order (ordinal sort: folder names, or the training split's labels).</param>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split (<c>test</c>, or <c>val</c> when there is no test split).</param>
public sealed record TextDatasetSplits(string Root, TextLayout Layout, IReadOnlyList<string> Classes, TextSplit Train, TextSplit Test)
{
    /// <summary>Bad records of both splits.</summary>
    public IReadOnlyList<BadRecord> BadRecords => [.. Train.BadRecords, .. Test.BadRecords];
}

/// <summary>
/// Opens labelled text datasets with the conventions of the image datasets: a <c>train</c> split and a <c>test</c>
/// (or <c>val</c>) split with the same classes; unusable records are reported (file and line) and left out, or, with
/// <see cref="BadFilePolicy.Fail"/>, listed in a <see cref="DataException"/> before any training.
/// </summary>
public static class TextDataset
{
    private static readonly string[] TestNames = ["test", "val"];

    /// <summary>Opens <paramref name="root"/> (folders of .txt files or tables; see <see cref="TextLayout"/>).</summary>
    /// <exception cref="DataException">
    /// Missing splits, no classes, only one class (<see cref="DataException.IsUsageError"/>), a class without documents,
    /// or bad records under <see cref="BadFilePolicy.Fail"/>.
    /// </exception>
    public static TextDatasetSplits Open(string root, TextColumns? columns = null, BadFilePolicy policy = BadFilePolicy.Skip)
    {
        columns ??= new TextColumns();
        var full = System.IO.Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DataException($"data folder '{full}' does not exist");
        TextDatasetSplits splits;
        if (Directory.Exists(System.IO.Path.Combine(full, "train")))
        {
            var testDir = TestNames.Select(n => System.IO.Path.Combine(full, n)).FirstOrDefault(Directory.Exists)
                ?? throw new DataException($"no 'test' (or 'val') folder beside '{System.IO.Path.Combine(full, "train")}'");
            var classes = FolderWalker.SubdirectoryNames(System.IO.Path.Combine(full, "train"));
            if (classes.Count == 0) throw new DataException($"'{System.IO.Path.Combine(full, "train")}' has no class folders (expected train/<class>/<document>.txt)");
            if (classes.Count < DataException.MinimumClasses) throw DataException.TooFewClasses(System.IO.Path.Combine(full, "train"), classes, "class folder");
            var train = ReadFolder(System.IO.Path.Combine(full, "train"), classes);
            var test = ReadFolder(testDir, classes);
            splits = new TextDatasetSplits(full, TextLayout.Folders, classes, train, test);
        }
        else
        {
            var trainFile = FindTable(full, "train") ?? throw new DataException(
                $"no training split in '{full}': expected train/<class>/*.txt or train.csv|train.tsv|train.jsonl");
            var testFile = TestNames.Select(n => FindTable(full, n)).FirstOrDefault(f => f is not null)
                ?? throw new DataException($"no test split in '{full}': expected test.csv|test.tsv|test.jsonl (or val.*) beside {System.IO.Path.GetFileName(trainFile)}");
            var trainBad = new List<BadRecord>();
            var trainRows = TextTable.Read(trainFile, columns, trainBad);
            var classes = trainRows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToList();
            if (classes.Count == 0) throw new DataException($"{trainFile}: no usable rows");
            if (classes.Count < DataException.MinimumClasses) throw DataException.TooFewClasses(trainFile, classes, "label");
            var train = FromRows(trainFile, trainRows, trainBad, classes);
            var testBad = new List<BadRecord>();
            var test = FromRows(testFile, TextTable.Read(testFile, columns, testBad), testBad, classes);
            splits = new TextDatasetSplits(full, TextLayout.Tables, classes, train, test);
        }
        Check(splits, policy);
        return splits;
    }

    /// <summary>Opens the split to evaluate in <paramref name="path"/> (a dataset folder's test split, a class-folder split, or a table) with known <paramref name="classes"/>.</summary>
    public static TextSplit OpenForEvaluation(string path, IReadOnlyList<string> classes, TextColumns? columns = null)
    {
        columns ??= new TextColumns();
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            var bad = new List<BadRecord>();
            return FromRows(full, TextTable.Read(full, columns, bad), bad, classes);
        }
        if (!Directory.Exists(full)) throw new DataException($"'{full}' does not exist");
        foreach (var name in TestNames)
        {
            var dir = System.IO.Path.Combine(full, name);
            if (Directory.Exists(dir)) return ReadFolder(dir, classes);
            if (FindTable(full, name) is { } file) return OpenForEvaluation(file, classes, columns);
        }
        return ReadFolder(full, classes);
    }

    private static void Check(TextDatasetSplits splits, BadFilePolicy policy)
    {
        foreach (var split in new[] { splits.Train, splits.Test })
        {
            var counts = split.ClassCounts(splits.Classes.Count);
            var empty = splits.Classes.Where((_, i) => counts[i] == 0).ToList();
            if (split == splits.Train && empty.Count > 0)
                throw new DataException($"{split.Path}: no usable documents for class(es) {string.Join(", ", empty)}");
            if (split.Samples.Count == 0) throw new DataException($"{split.Path}: no usable documents");
        }
        if (policy == BadFilePolicy.Fail && splits.BadRecords.Count > 0)
            throw new DataException($"{splits.BadRecords.Count} bad record(s) in '{splits.Root}' (bad-file policy 'fail'):" + Environment.NewLine +
                                    string.Join(Environment.NewLine, splits.BadRecords.Select(b => "  " + b)));
    }

    private static string? FindTable(string root, string split) =>
        TextTable.Extensions.Select(e => System.IO.Path.Combine(root, split + e)).FirstOrDefault(File.Exists);

    private static TextSplit FromRows(string file, List<TextRow> rows, List<BadRecord> bad, IReadOnlyList<string> classes)
    {
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var samples = new List<TextSample>(rows.Count);
        foreach (var row in rows)
        {
            if (index.TryGetValue(row.Label, out int label)) samples.Add(new TextSample(row.Text, label, $"{file}:{row.Line}"));
            else bad.Add(new BadRecord(file, row.Line, $"label '{row.Label}' is not a class of the training split ({string.Join(", ", classes)})"));
        }
        bad.Sort((a, b) => (a.Line ?? 0).CompareTo(b.Line ?? 0));
        return new TextSplit(System.IO.Path.GetFileNameWithoutExtension(file), file, samples, bad);
    }

    private static TextSplit ReadFolder(string splitDir, IReadOnlyList<string> classes)
    {
        var present = FolderWalker.SubdirectoryNames(splitDir);
        var unknown = present.Except(classes).ToList();
        var missing = classes.Except(present).ToList();
        if (unknown.Count > 0 || missing.Count > 0)
            throw new DataException($"the class folders of '{splitDir}' differ from the classes [{string.Join(", ", classes)}]: " +
                                    $"extra [{string.Join(", ", unknown)}], missing [{string.Join(", ", missing)}]");
        var samples = new List<TextSample>();
        var bad = new List<BadRecord>();
        var scope = LinkScope.For(splitDir, datasetRoot: null);
        var decoder = new UTF8Encoding(false, false);
        for (int label = 0; label < classes.Count; label++)
        {
            var classDir = System.IO.Path.Combine(splitDir, classes[label]);
            var listing = FolderWalker.ListFiles(classDir, scope);
            if (listing.Unreadable is { } why) throw new DataException($"class folder '{classDir}' cannot be read: {why}");
            foreach (var file in listing.Files)
            {
                if (!file.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)) continue;
                try
                {
                    var text = decoder.GetString(File.ReadAllBytes(file)).TrimStart('\uFEFF');
                    if (string.IsNullOrWhiteSpace(text)) bad.Add(new BadRecord(file, null, "empty document"));
                    else samples.Add(new TextSample(text, label, file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    bad.Add(new BadRecord(file, null, $"cannot read ({e.Message})"));
                }
            }
        }
        return new TextSplit(System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(splitDir)), splitDir, samples, bad);
    }
}
