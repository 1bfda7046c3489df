using SharpTune.Configuration;

namespace SharpTune.IO;

/// <summary>Checks before any work that an output folder can be written, without creating it.</summary>
public static class OutputProbe
{
    /// <summary>
    /// Throws <see cref="OptionsException"/> naming <paramref name="option"/> when the nearest existing folder of
    /// <paramref name="path"/> cannot take a new file (read-only file system, no permission).
    /// </summary>
    public static void EnsureWritable(string path, string option)
    {
        var existing = Path.GetFullPath(path);
        while (!Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null || parent == existing) break;
            if (File.Exists(parent)) throw new OptionsException($"{option}: '{parent}' is a file, not a folder");
            existing = parent;
        }
        var probe = Path.Combine(existing, $".sharptune-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OptionsException($"{option}: cannot write in '{existing}': {e.Message}");
        }
    }
}
