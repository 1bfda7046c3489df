namespace SharpTune.Data;

/// <summary>
/// Lists the files under a class folder the way torchvision's <c>make_dataset</c> does (<c>os.walk</c> following
/// symbolic links, directories and file names in ordinal order), but skips hidden entries, follows a directory link
/// only where <see cref="LinkScope"/> allows it (never to an ancestor, another class or another split: that would
/// mislabel or leak images), enters each directory once (by device and inode, see <see cref="DirectoryIdentity"/>), so
/// it cannot loop, and bounds the depth.
/// </summary>
internal static class FolderWalker
{
    /// <summary>Deepest nesting below a class folder that is searched.</summary>
    public const int MaxDepth = 32;

    /// <summary>Lists a directory's entries; tests substitute one that fails like an unreadable folder (root reads every folder).</summary>
    internal delegate IEnumerable<FileSystemInfo> DirectoryLister(DirectoryInfo directory);

    private static readonly DirectoryLister ListEntries = dir => dir.EnumerateFileSystemInfos();

    /// <summary>
    /// Files under class folder <paramref name="directory"/> (full paths) in torchvision's order, hidden ones left out;
    /// links skipped and other remarks are in the result.
    /// </summary>
    public static ClassListing ListFiles(string directory, LinkScope scope, DirectoryLister? list = null)
    {
        var walk = new Walk(new DirectoryInfo(directory), scope, list ?? ListEntries);
        walk.Run();
        // os.walk tuples sorted: by directory path, then file name.
        walk.Groups.Sort((a, b) => string.CompareOrdinal(a.Dir, b.Dir));
        var files = new List<string>();
        foreach (var (_, groupFiles) in walk.Groups)
        {
            groupFiles.Sort(string.CompareOrdinal);
            files.AddRange(groupFiles);
        }
        return new ClassListing(files, walk.SkippedLinks, walk.Notes, walk.Unreadable);
    }

    /// <summary>Immediate non-hidden subdirectories of <paramref name="directory"/> (following links), names sorted ordinally.</summary>
    public static List<string> SubdirectoryNames(string directory)
    {
        var names = new List<string>();
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (ImageFormats.IsHidden(entry.Name)) continue;
            if (IsDirectory(entry)) names.Add(entry.Name);
        }
        names.Sort(string.CompareOrdinal);
        return names;
    }

    /// <summary>Non-hidden regular files directly in <paramref name="directory"/>.</summary>
    public static List<string> FilesDirectlyIn(string directory)
    {
        var files = new List<string>();
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            if (!ImageFormats.IsHidden(entry.Name) && !IsDirectory(entry)) files.Add(entry.FullName);
        files.Sort(string.CompareOrdinal);
        return files;
    }

    /// <summary>Why a folder cannot be listed, in words a user acts on.</summary>
    internal static string DescribeListingFailure(Exception e) =>
        e is UnauthorizedAccessException ? "permission denied" : e.Message;

    /// <summary>Whether the entry is a directory or a symbolic link that resolves to one.</summary>
    private static bool IsDirectory(FileSystemInfo entry)
    {
        if (entry is DirectoryInfo && entry.LinkTarget is null) return true;
        if (entry.LinkTarget is null) return false;
        try
        {
            return entry.ResolveLinkTarget(returnFinalTarget: true) is DirectoryInfo { Exists: true };
        }
        catch (IOException)
        {
            return false; // a link loop (ELOOP) or a broken chain: not a directory
        }
    }

    /// <summary>The state of one class folder's walk.</summary>
    private sealed class Walk(DirectoryInfo classDirectory, LinkScope scope, DirectoryLister list)
    {
        private readonly string _classReal = DirectoryIdentity.RealPath(classDirectory.FullName);
        private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

        public List<(string Dir, List<string> Files)> Groups { get; } = [];
        public List<string> SkippedLinks { get; } = [];
        public List<string> Notes { get; } = [];
        public string? Unreadable { get; private set; }

        public void Run() => Enter(classDirectory, 0, linkTarget: null);

        /// <summary>Lists <paramref name="dir"/> (unless already entered or too deep) and enters its subdirectories.</summary>
        /// <param name="dir">The directory, by the path it was reached through.</param>
        /// <param name="depth">Levels below the class folder.</param>
        /// <param name="linkTarget">The resolved target when <paramref name="dir"/> was reached through a link.</param>
        private void Enter(DirectoryInfo dir, int depth, string? linkTarget)
        {
            if (!_visited.Add(DirectoryIdentity.Of(dir.FullName)))
            {
                const string reason = "directory already scanned (symbolic link loop or duplicate link)";
                if (linkTarget is not null) Skip(dir, linkTarget, reason);
                else Notes.Add($"{dir.FullName}: {reason}; skipped");
                return;
            }
            if (depth > MaxDepth)
            {
                Notes.Add($"{dir.FullName}: deeper than {MaxDepth} levels; skipped");
                return;
            }
            List<FileSystemInfo> entries;
            try
            {
                entries = list(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The class folder itself unreadable is a problem of the split (reported by the caller), not an empty class.
                if (depth == 0) Unreadable = DescribeListingFailure(e);
                else Notes.Add($"{dir.FullName}: cannot list the directory ({DescribeListingFailure(e)}); skipped");
                return;
            }
            var files = new List<string>();
            var subdirs = new List<DirectoryInfo>();
            foreach (var entry in entries)
            {
                if (ImageFormats.IsHidden(entry.Name)) continue;
                if (IsDirectory(entry)) subdirs.Add(new DirectoryInfo(entry.FullName));
                else files.Add(entry.FullName);
            }
            Groups.Add((dir.FullName, files));
            foreach (var sub in subdirs)
            {
                if (sub.LinkTarget is null)
                {
                    Enter(sub, depth + 1, linkTarget: null);
                    continue;
                }
                var target = DirectoryIdentity.RealPath(sub.FullName);
                if (scope.WhyNotFollow(target, _classReal, classDirectory.Name) is { } reason) Skip(sub, target, reason);
                else Enter(sub, depth + 1, target);
            }
        }

        private void Skip(DirectoryInfo link, string target, string reason)
        {
            var entry = $"{link.FullName} -> {target}: {reason}";
            SkippedLinks.Add(entry);
            Notes.Add("symbolic link skipped: " + entry);
        }
    }
}

/// <summary>What <see cref="FolderWalker.ListFiles"/> found under one class folder.</summary>
/// <param name="Files">Files found (full paths), in torchvision's order.</param>
/// <param name="SkippedLinks">Directory links not followed, each <c>"path -&gt; target: reason"</c>.</param>
/// <param name="Notes">Remarks (skipped links included), for the report.</param>
/// <param name="Unreadable">Why the class folder itself could not be listed (e.g. <c>permission denied</c>); null when it was.</param>
internal sealed record ClassListing(List<string> Files, List<string> SkippedLinks, List<string> Notes, string? Unreadable);
