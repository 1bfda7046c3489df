namespace SharpTune.Data;

/// <summary>
/// Where a symbolic link to a directory found under a class folder may lead. torchvision follows every link, so a link
/// such as <c>train/hotdog/up -&gt; ..</c> labels the other classes' images "hotdog", and one into <c>test/</c> leaks
/// test images into training. A link is followed only when its target (all links resolved) lies inside the class
/// folder, or outside the dataset's split folders altogether; a link to an ancestor of the class folder, to another
/// class or into (or around) another split is skipped, with the reason.
/// </summary>
internal sealed class LinkScope
{
    private static readonly string[] SplitNames = ["train", "test", "val"];

    private readonly string _ownSplit;
    private readonly List<(string Name, string Real)> _splits = [];

    private LinkScope(string ownSplit) => _ownSplit = ownSplit;

    /// <summary>
    /// The scope of <paramref name="splitDirectory"/>: its sibling splits are those of <paramref name="datasetRoot"/>;
    /// without one, a split named train/test/val is taken to sit in its dataset folder, any other is a dataset alone.
    /// </summary>
    public static LinkScope For(string splitDirectory, string? datasetRoot)
    {
        var split = Path.TrimEndingDirectorySeparator(Path.GetFullPath(splitDirectory));
        datasetRoot ??= SplitNames.Contains(Path.GetFileName(split)) ? Path.GetDirectoryName(split) : null;
        var scope = new LinkScope(Path.GetFileName(split));
        scope._splits.Add((Path.GetFileName(split), DirectoryIdentity.RealPath(split)));
        if (datasetRoot is not null)
            foreach (var name in SplitNames)
            {
                var dir = Path.Combine(datasetRoot, name);
                if (Directory.Exists(dir) && !string.Equals(Path.GetFullPath(dir), split, StringComparison.Ordinal))
                    scope._splits.Add((name, DirectoryIdentity.RealPath(dir)));
            }
        return scope;
    }

    /// <summary>Why a link under class folder <paramref name="classReal"/> to <paramref name="targetReal"/> is not followed; null to follow it.</summary>
    /// <param name="targetReal">The link's target, every link resolved.</param>
    /// <param name="classReal">The class folder, every link resolved.</param>
    /// <param name="className">The class folder's name (the label its images get).</param>
    public string? WhyNotFollow(string targetReal, string classReal, string className)
    {
        if (IsWithin(targetReal, classReal)) return null; // a loop back inside is cut by the walker's visited set
        if (IsWithin(classReal, targetReal))
            return $"the target is an ancestor of class folder '{className}': every image below it, other classes' too, would be labelled '{className}'";
        var own = _splits[0];
        foreach (var (name, real) in _splits)
        {
            if (IsWithin(targetReal, real))
            {
                if (real != own.Real)
                    return $"the target is in the '{name}' split: its images would leak into the '{_ownSplit}' split";
                var relative = Path.GetRelativePath(real, targetReal);
                var other = relative.Split(Path.DirectorySeparatorChar)[0];
                return $"the target is in another class ('{other}') of the '{_ownSplit}' split: its images would be labelled '{className}'";
            }
            if (IsWithin(real, targetReal))
                return $"the target holds the '{name}' split: its images would be labelled '{className}'";
        }
        return null;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies below it (both canonical).</summary>
    internal static bool IsWithin(string path, string folder)
    {
        folder = Path.TrimEndingDirectorySeparator(folder);
        if (path.Length == folder.Length) return string.Equals(path, folder, StringComparison.Ordinal);
        // A root ("/") keeps its separator after trimming.
        var prefix = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
