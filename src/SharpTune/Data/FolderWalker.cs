namespace SharpTune.Data;

/// <summary>
/// Lists the files under a class folder the way torchvision's <c>make_dataset</c> does (<c>os.walk</c> following
/// symbolic links, directories and file names in ordinal order), but skips hidden entries and cannot loop: a directory
/// whose resolved location was already entered is not entered again, and the depth is bounded.
/// </summary>
internal static class FolderWalker
{
    /// <summary>Deepest nesting below a class folder that is searched.</summary>
    public const int MaxDepth = 32;

    /// <summary>Files under <paramref name="directory"/> (full paths) in torchvision's order; hidden ones left out.</summary>
    public static List<string> ListFiles(string directory, List<string> notes)
    {
        var groups = new List<(string Dir, List<string> Files)>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(directory), RealPath(new DirectoryInfo(directory)), 0, groups, visited, notes);
        // os.walk tuples sorted: by directory path, then file name.
        groups.Sort((a, b) => string.CompareOrdinal(a.Dir, b.Dir));
        var files = new List<string>();
        foreach (var (_, list) in groups)
        {
            list.Sort(string.CompareOrdinal);
            files.AddRange(list);
        }
        return files;
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

    private static void Walk(DirectoryInfo dir, string real, int depth, List<(string, List<string>)> groups,
                             HashSet<string> visited, List<string> notes)
    {
        if (!visited.Add(real))
        {
            notes.Add($"{dir.FullName}: directory already scanned (symbolic link loop or duplicate link); skipped");
            return;
        }
        if (depth > MaxDepth)
        {
            notes.Add($"{dir.FullName}: deeper than {MaxDepth} levels; skipped");
            return;
        }
        IEnumerable<FileSystemInfo> entries;
        var files = new List<string>();
        var subdirs = new List<DirectoryInfo>();
        try
        {
            entries = dir.EnumerateFileSystemInfos().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            notes.Add($"{dir.FullName}: cannot list the directory ({e.Message}); skipped");
            return;
        }
        foreach (var entry in entries)
        {
            if (ImageFormats.IsHidden(entry.Name)) continue;
            if (IsDirectory(entry)) subdirs.Add(new DirectoryInfo(entry.FullName));
            else files.Add(entry.FullName);
        }
        groups.Add((dir.FullName, files));
        foreach (var sub in subdirs)
            Walk(sub, sub.LinkTarget is null ? Path.Combine(real, sub.Name) : RealPath(sub), depth + 1, groups, visited, notes);
    }

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

    private static string RealPath(DirectoryInfo dir)
    {
        try
        {
            var target = dir.LinkTarget is null ? dir : dir.ResolveLinkTarget(returnFinalTarget: true) ?? dir;
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
        }
        catch (IOException)
        {
            return Path.TrimEndingDirectorySeparator(dir.FullName);
        }
    }
}
