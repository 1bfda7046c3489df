using System.Globalization;
using SharpTune.Configuration;

namespace SharpTune.IO;

/// <summary>
/// One writer per run directory: an exclusive advisory lock (<c>flock</c>, which .NET takes for
/// <see cref="FileShare.None"/> on Unix) on <c>DIR/.sharptune.lock</c> for the run's lifetime. The operating system
/// releases it when the process ends in any way, SIGKILL included, so an interrupted run resumes without clean-up.
/// The holder writes its pid to <c>DIR/.sharptune.owner</c> (the locked file itself cannot be read by others while
/// held) so that a refused process can name it.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>Name of the lock file inside a run directory.</summary>
    public const string LockFileName = ".sharptune.lock";

    /// <summary>Name of the file naming the holder's pid.</summary>
    public const string OwnerFileName = ".sharptune.owner";

    private readonly FileStream _lock;
    private readonly string _directory;
    private readonly bool _createdDirectory;
    private bool _disposed;

    private RunLock(FileStream lockStream, string directory, bool createdDirectory)
    {
        _lock = lockStream;
        _directory = directory;
        _createdDirectory = createdDirectory;
    }

    /// <summary>True for the files a lock leaves in a run directory (not run content).</summary>
    public static bool IsLockFile(string name) => name is LockFileName or OwnerFileName;

    /// <summary>
    /// Takes the lock of <paramref name="directory"/>, creating the folder when missing. Throws
    /// <see cref="OptionsException"/> naming <paramref name="option"/> and the holder's pid when another process holds it.
    /// </summary>
    public static RunLock Acquire(string directory, string option)
    {
        var full = Path.GetFullPath(directory);
        bool created = !Directory.Exists(full);
        Directory.CreateDirectory(full);
        var lockPath = Path.Combine(full, LockFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == 11 /* EWOULDBLOCK: another process holds the flock */)
        {
            var holder = ReadOwner(full);
            throw new OptionsException($"{option}: '{full}' is in use by another SharpTune process{(holder is null ? "" : $" (pid {holder})")}; " +
                                       "wait for it to end or choose another directory");
        }
        AtomicFile.WriteText(Path.Combine(full, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new RunLock(stream, full, created);
    }

    private static string? ReadOwner(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, OwnerFileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Releases the lock. When the lock created the folder and nothing but the lock's own files is in it (the run
    /// failed before writing anything), the folder is removed again, so a refused run leaves no trace.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            File.Delete(Path.Combine(_directory, OwnerFileName));
            bool empty = Directory.Exists(_directory) && Directory.EnumerateFileSystemEntries(_directory)
                .All(p => IsLockFile(Path.GetFileName(p)));
            if (_createdDirectory && empty)
            {
                File.Delete(Path.Combine(_directory, LockFileName));
                Directory.Delete(_directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the lock itself is released below whatever happens to the files.
        }
        finally
        {
            _lock.Dispose();
        }
    }
}
