// Hand-written binding to libc stat(2). .NET has no public API for a file's device and inode numbers (the runtime's
// own stat interop is internal; Mono.Posix would add a native package for two numbers), yet they are what identifies a
// directory whatever path leads to it (symbolic links, linked parents, bind mounts), so that the folder walker enters
// each directory once. Only Linux x86_64 is bound: there struct stat begins with st_dev and st_ino, two 8-byte fields,
// and glibc exports `stat` as a symbol from 2.33 (before that only `__xstat`). Elsewhere, or when the call fails, the
// real path (every link resolved) stands in.
using System.Runtime.InteropServices;

namespace SharpTune.Data;

/// <summary>Identifies a directory by device and inode (Linux x86_64), otherwise by its real path.</summary>
internal static partial class DirectoryIdentity
{
    // sizeof(struct stat) is 144 on x86_64; the larger buffer costs nothing and leaves room to spare.
    private const int StatBufferSize = 256;

    /// <summary>Links resolved along one path before giving up (Linux's limit, ELOOP).</summary>
    private const int MaxLinks = 40;

    private static readonly bool Bound = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    // Set once the symbol or library is missing (older glibc, another libc): later calls go straight to the fallback.
    private static volatile bool _unavailable;

    /// <summary>A key equal for every path that leads to the same directory.</summary>
    public static string Of(string path) =>
        TryStat(path, out ulong device, out ulong inode) ? $"inode {device}:{inode}" : "path " + RealPath(path);

    /// <summary>Device and inode of what <paramref name="path"/> leads to (links followed); false when not available.</summary>
    public static unsafe bool TryStat(string path, out ulong device, out ulong inode)
    {
        device = inode = 0;
        if (!Bound || _unavailable) return false;
        byte* buffer = stackalloc byte[StatBufferSize];
        try
        {
            if (Stat(path, buffer) != 0) return false; // ENOENT, EACCES, ELOOP…: the caller falls back to the path
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true;
            return false;
        }
        device = *(ulong*)buffer;
        inode = *(ulong*)(buffer + 8);
        return true;
    }

    /// <summary>
    /// The canonical absolute path of <paramref name="path"/> with every symbolic link along it resolved, as
    /// realpath(3) gives (<see cref="FileSystemInfo.ResolveLinkTarget"/> resolves only the last part). Parts that do not
    /// exist are kept as written; after <see cref="MaxLinks"/> links the rest is kept unresolved.
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        string current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(); // parts still to walk, the next one on top
        PushParts(pending, full[current.Length..]);
        int links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current; // current is canonical, so its parent is too
                continue;
            }
            var next = Path.Combine(current, part);
            string? target = links < MaxLinks ? LinkTargetOf(next) : null;
            if (target is null)
            {
                current = next;
                continue;
            }
            links++;
            if (Path.IsPathRooted(target))
            {
                var absolute = Path.GetFullPath(target);
                current = Path.GetPathRoot(absolute)!;
                PushParts(pending, absolute[current.Length..]);
            }
            else PushParts(pending, target); // relative to the folder holding the link: current
        }
        return Path.TrimEndingDirectorySeparator(current);
    }

    private static string? LinkTargetOf(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void PushParts(Stack<string> pending, string relative)
    {
        var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        for (int i = parts.Length - 1; i >= 0; i--)
            if (parts[i].Length > 0) pending.Push(parts[i]);
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Stat(string path, byte* buffer);
}
