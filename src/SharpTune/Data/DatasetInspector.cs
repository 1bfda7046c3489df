namespace SharpTune.Data;

/// <summary>
/// Looks at a dataset folder the way <see cref="ImageFolder.Open"/> would, but reports every problem instead of
/// stopping at the first: splits, classes, counts, image sizes, formats, bad and ignored files.
/// </summary>
public static class DatasetInspector
{
    private static readonly string[] SplitNames = ["train", "test", "val"];

    /// <summary>Inspects <paramref name="root"/>; with <paramref name="verify"/>, decodes every image to find truncated or corrupt files.</summary>
    /// <exception cref="DataException">The folder does not exist.</exception>
    public static DatasetReport Inspect(string root, bool verify = true, ImageFolderOptions? options = null) =>
        InspectWithSplits(root, verify, options).Report;

    /// <summary>As <see cref="Inspect"/>, also returning the scanned splits (e.g. for <see cref="PreviewGrid"/>).</summary>
    public static (DatasetReport Report, IReadOnlyList<ImageFolder> Splits) InspectWithSplits(string root, bool verify = true, ImageFolderOptions? options = null)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DataException($"data folder '{full}' does not exist");
        options = (options ?? new ImageFolderOptions()) with { VerifyByDecoding = verify };
        var problems = new List<string>();
        try
        {
            ImageFolder.LocateSplits(full);
        }
        catch (DataException e)
        {
            problems.Add(e.Message);
        }
        var splits = new List<ImageFolder>();
        foreach (var name in SplitNames)
        {
            var dir = Path.Combine(full, name);
            if (!Directory.Exists(dir)) continue;
            var split = ImageFolder.Scan(dir, BadFilePolicy.Skip, options, full);
            problems.AddRange(split.Problems);
            splits.Add(split);
        }
        var train = splits.FirstOrDefault(s => s.SplitName == "train");
        var test = splits.FirstOrDefault(s => s.SplitName == "test") ?? splits.FirstOrDefault(s => s.SplitName == "val");
        if (train is not null && test is not null)
        {
            try { ImageFolder.CheckSameClasses(train, test); }
            catch (DataException e) { problems.Add(e.Message); }
        }
        // No class folders at all is already a problem of the split.
        if (train is not null && train.Classes.Count is > 0 and < DataException.MinimumClasses)
            problems.Add(DataException.TooFewClassesMessage(train.Directory, train.Classes, "class folder"));
        var report = new DatasetReport(full, splits.Select(Summarise).ToList(), problems, verify);
        return (report, splits);
    }

    private static SplitReport Summarise(ImageFolder split)
    {
        var badPerClass = new int[split.Classes.Count];
        foreach (var bad in split.BadImages)
        {
            var relative = Path.GetRelativePath(split.Directory, bad.Path);
            int cut = relative.IndexOf(Path.DirectorySeparatorChar);
            int index = cut > 0 ? split.IndexOf(relative[..cut]) : -1;
            if (index >= 0) badPerClass[index]++;
        }
        var classes = split.Classes.Select((name, i) => new ClassReport(i, name, split.ClassCounts[i], badPerClass[i])).ToList();
        var formats = split.Headers.GroupBy(h => h.Format).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        int mismatches = 0;
        for (int i = 0; i < split.Samples.Count; i++)
            if (ImageFormats.FormatOfExtension(split.Samples[i].Path) is { } announced && announced != split.Headers[i].Format) mismatches++;
        return new SplitReport(split.SplitName, split.Directory, classes, split.Samples.Count, SizeStatsOf(split.Headers),
            formats, mismatches, split.BadImages, split.IgnoredFiles, split.Notes);
    }

    private static SizeStats? SizeStatsOf(IReadOnlyList<ImageHeader> headers)
    {
        if (headers.Count == 0) return null;
        var widths = headers.Select(h => h.Width).Order().ToArray();
        var heights = headers.Select(h => h.Height).Order().ToArray();
        var common = headers.GroupBy(h => (h.Width, h.Height))
            .Select(g => new SizeCount(g.Key.Width, g.Key.Height, g.Count()))
            .OrderByDescending(s => s.Count).ThenBy(s => s.Width).ThenBy(s => s.Height).ToList();
        return new SizeStats(widths[0], widths[widths.Length / 2], widths[^1], widths.Average(),
            heights[0], heights[heights.Length / 2], heights[^1], heights.Average(),
            common.Count, common.Take(5).ToList(), headers.Count(h => h.Orientation != 1));
    }
}
