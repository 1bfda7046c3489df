namespace SharpTune.Data;

/// <summary>
/// One split of a dataset laid out as torchvision's <c>ImageFolder</c> expects: <c>&lt;split&gt;/&lt;class&gt;/…/&lt;file&gt;</c>.
/// Classes are the non-hidden subfolders sorted ordinally by name; a class's index is its position. Files are found
/// recursively (following symbolic links that stay within the class or leave the dataset, without looping; see
/// <see cref="SkippedLinks"/>), in torchvision's order. Files with an image extension
/// (<see cref="ImageFormats.Extensions"/>) are probed; hidden files and other extensions are ignored.
/// </summary>
public sealed class ImageFolder
{
    private readonly Dictionary<string, int> _classIndex;

    private ImageFolder(string directory, string splitName, List<string> classes, List<ImageSample> samples,
                        List<ImageHeader> headers, List<BadImage> bad, List<string> ignored, List<string> notes,
                        List<string> skippedLinks, List<string> problems)
    {
        Directory = directory;
        SplitName = splitName;
        Classes = classes;
        Samples = samples;
        Headers = headers;
        BadImages = bad;
        IgnoredFiles = ignored;
        Notes = notes;
        SkippedLinks = skippedLinks;
        Problems = problems;
        _classIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < classes.Count; i++) _classIndex[classes[i]] = i;
        var counts = new int[classes.Count];
        foreach (var s in samples) counts[s.Label]++;
        ClassCounts = counts;
    }

    /// <summary>Full path of the split folder.</summary>
    public string Directory { get; }

    /// <summary>Name of the split folder (<c>train</c>, <c>test</c>, <c>val</c>, …).</summary>
    public string SplitName { get; }

    /// <summary>Class names in index order (ordinal sort of the folder names).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The usable images, class by class, in torchvision's order.</summary>
    public IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>Header of each sample (same order as <see cref="Samples"/>): upright size and format.</summary>
    public IReadOnlyList<ImageHeader> Headers { get; }

    /// <summary>Files with an image extension that cannot be used, with the reason (left out of <see cref="Samples"/>).</summary>
    public IReadOnlyList<BadImage> BadImages { get; }

    /// <summary>Non-hidden files that were ignored: other extensions, or files directly in the split folder.</summary>
    public IReadOnlyList<string> IgnoredFiles { get; }

    /// <summary>Remarks from the scan (skipped links, unlistable folders, depth limit).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>
    /// Symbolic links to directories that were not followed, each <c>"path -&gt; target: reason"</c>: links to an
    /// ancestor of their class folder, to another class or into another split (whose images would be mislabelled or
    /// leak between splits), and links to a directory already scanned (loops). Also listed in <see cref="Notes"/>.
    /// </summary>
    public IReadOnlyList<string> SkippedLinks { get; }

    /// <summary>Number of usable samples of each class, by class index.</summary>
    public IReadOnlyList<int> ClassCounts { get; }

    /// <summary>What makes the split unusable (empty when it is fine); <see cref="OpenSplit"/> throws on any.</summary>
    internal IReadOnlyList<string> Problems { get; }

    /// <summary>Index of class <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => _classIndex.GetValueOrDefault(name, -1);

    /// <summary>
    /// Opens <c>root/train</c> and <c>root/test</c> (or <c>root/val</c> when there is no <c>test</c>) and checks that
    /// both have the same class folders.
    /// </summary>
    /// <exception cref="DataException">
    /// A split, the class folders or a class's images are missing or unreadable, the class sets differ, there is only
    /// one class (<see cref="DataException.IsUsageError"/>), or (with <see cref="BadFilePolicy.Fail"/>) there are bad
    /// files: the message lists all of them.
    /// </exception>
    public static ImageFolderSplits Open(string root, BadFilePolicy policy = BadFilePolicy.Skip, ImageFolderOptions? options = null)
    {
        var full = Path.GetFullPath(root);
        if (!System.IO.Directory.Exists(full)) throw new DataException($"data folder '{full}' does not exist");
        var (trainDir, testDir, testName) = LocateSplits(full);
        var train = Scan(trainDir, policy, options, full);
        var test = Scan(testDir, policy, options, full);
        var problems = train.Problems.Concat(test.Problems).ToList();
        if (problems.Count > 0) throw new DataException(string.Join(Environment.NewLine, problems));
        CheckSameClasses(train, test);
        if (train.Classes.Count < DataException.MinimumClasses) throw DataException.TooFewClasses(train.Directory, train.Classes, "class folder");
        if (policy == BadFilePolicy.Fail)
        {
            var bad = train.BadImages.Concat(test.BadImages).ToList();
            if (bad.Count > 0)
                throw new DataException($"{bad.Count} bad image file(s) in '{full}' (bad-file policy 'fail'):", bad);
        }
        return new ImageFolderSplits(full, train, test, testName);
    }

    /// <summary>Opens a single split folder (<c>&lt;dir&gt;/&lt;class&gt;/&lt;file&gt;</c>), e.g. for evaluation.</summary>
    /// <exception cref="DataException">No class folders, a class without images, or bad files under <see cref="BadFilePolicy.Fail"/>.</exception>
    public static ImageFolder OpenSplit(string splitDirectory, BadFilePolicy policy = BadFilePolicy.Skip, ImageFolderOptions? options = null)
    {
        var full = Path.GetFullPath(splitDirectory);
        if (!System.IO.Directory.Exists(full)) throw new DataException($"split folder '{full}' does not exist");
        var split = Scan(full, policy, options);
        if (split.Problems.Count > 0) throw new DataException(string.Join(Environment.NewLine, split.Problems));
        if (policy == BadFilePolicy.Fail && split.BadImages.Count > 0)
            throw new DataException($"{split.BadImages.Count} bad image file(s) in '{full}' (bad-file policy 'fail'):", split.BadImages);
        return split;
    }

    /// <summary>Finds the train and test split folders of <paramref name="root"/>.</summary>
    internal static (string Train, string Test, string TestName) LocateSplits(string root)
    {
        string train = Path.Combine(root, "train");
        string test = Path.Combine(root, "test");
        string val = Path.Combine(root, "val");
        string Found() => string.Join(", ", FolderWalker.SubdirectoryNames(root).DefaultIfEmpty("none"));
        if (!System.IO.Directory.Exists(train))
            throw new DataException($"no 'train' split in '{root}' (expected {Path.Combine(root, "train", "<class>", "<image>")}); folders found: {Found()}");
        if (System.IO.Directory.Exists(test)) return (train, test, "test");
        if (System.IO.Directory.Exists(val)) return (train, val, "val");
        throw new DataException($"no 'test' (or 'val') split in '{root}' (expected {Path.Combine(root, "test", "<class>", "<image>")}); folders found: {Found()}");
    }

    /// <summary>Throws when the class folders of the two splits differ.</summary>
    internal static void CheckSameClasses(ImageFolder train, ImageFolder test)
    {
        if (train.Classes.SequenceEqual(test.Classes)) return;
        var onlyTrain = train.Classes.Except(test.Classes).ToList();
        var onlyTest = test.Classes.Except(train.Classes).ToList();
        throw new DataException(
            $"the class folders of '{train.Directory}' and '{test.Directory}' differ: " +
            $"only in {train.SplitName}: [{string.Join(", ", onlyTrain)}]; only in {test.SplitName}: [{string.Join(", ", onlyTest)}]");
    }

    /// <summary>Scans one split; problems that make it unusable are recorded in <see cref="Problems"/>, not thrown.</summary>
    /// <param name="splitDirectory">The split folder.</param>
    /// <param name="policy">What bad files do.</param>
    /// <param name="options">Probing options.</param>
    /// <param name="datasetRoot">The dataset folder whose other splits links must not reach (see <see cref="LinkScope.For"/>).</param>
    /// <param name="list">Lists a folder (tests substitute a failing one).</param>
    internal static ImageFolder Scan(string splitDirectory, BadFilePolicy policy, ImageFolderOptions? options,
                                     string? datasetRoot = null, FolderWalker.DirectoryLister? list = null)
    {
        options ??= new ImageFolderOptions();
        bool decode = options.VerifyByDecoding ?? policy == BadFilePolicy.Fail;
        var dir = Path.GetFullPath(splitDirectory);
        var splitName = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        var notes = new List<string>();
        var skippedLinks = new List<string>();
        var problems = new List<string>();
        var ignored = FolderWalker.FilesDirectlyIn(dir);
        var classes = FolderWalker.SubdirectoryNames(dir);
        var scope = LinkScope.For(dir, datasetRoot);
        if (classes.Count == 0)
            problems.Add($"split '{dir}' has no class folders (expected {Path.Combine(dir, "<class>", "<image>")})");

        // Candidate files, class by class.
        var candidates = new List<(string Path, int Label)>();
        for (int label = 0; label < classes.Count; label++)
        {
            int before = candidates.Count;
            var listing = FolderWalker.ListFiles(Path.Combine(dir, classes[label]), scope, list);
            notes.AddRange(listing.Notes);
            skippedLinks.AddRange(listing.SkippedLinks);
            foreach (var file in listing.Files)
            {
                if (ImageFormats.HasImageExtension(file)) candidates.Add((file, label));
                else ignored.Add(file);
            }
            if (listing.Unreadable is { } why)
                problems.Add($"class folder '{Path.Combine(dir, classes[label])}' cannot be read: {why}");
            else if (candidates.Count == before)
                problems.Add($"class folder '{Path.Combine(dir, classes[label])}' has no image files ({string.Join(" ", ImageFormats.Extensions)})");
        }

        // Probe (or decode) every candidate, in parallel; results keep the candidate order.
        var headers = new ImageHeader?[candidates.Count];
        var reasons = new string?[candidates.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        Parallel.For(0, candidates.Count, parallel, i =>
        {
            try
            {
                headers[i] = decode
                    ? ImageDecoder.DecodeCore(candidates[i].Path, null, options.MaxPixels).Header
                    : ImageDecoder.ReadHeaderCore(candidates[i].Path, options.MaxPixels);
            }
            catch (BadImageException e)
            {
                reasons[i] = e.Reason;
            }
        });

        var samples = new List<ImageSample>(candidates.Count);
        var sampleHeaders = new List<ImageHeader>(candidates.Count);
        var bad = new List<BadImage>();
        var usable = new int[classes.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            if (reasons[i] is { } reason)
            {
                bad.Add(new BadImage(candidates[i].Path, reason));
                continue;
            }
            samples.Add(new ImageSample(candidates[i].Path, candidates[i].Label));
            sampleHeaders.Add(headers[i]!);
            usable[candidates[i].Label]++;
        }
        for (int label = 0; label < classes.Count; label++)
            if (usable[label] == 0 && candidates.Any(c => c.Label == label))
                problems.Add($"class folder '{Path.Combine(dir, classes[label])}' has no usable images (all {candidates.Count(c => c.Label == label)} are bad)");
        ignored.Sort(string.CompareOrdinal);
        return new ImageFolder(dir, splitName, classes, samples, sampleHeaders, bad, ignored, notes, skippedLinks, problems);
    }
}
