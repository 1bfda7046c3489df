namespace SharpTune.IO;

/// <summary>
/// The one way SharpTune writes files: into a temporary file beside the target, flushed to disk, then renamed over
/// the target. Readers (and concurrent writers) see either the old complete file or the new complete file, never a
/// half-written one; a failure leaves the target as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // A unique name per writer, so concurrent processes never share a temporary file.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes text atomically (UTF-8, no BOM).</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s =>
        {
            var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
            s.Write(bytes, 0, bytes.Length);
        });

    /// <summary>Copies a file atomically.</summary>
    public static void Copy(string source, string destination) =>
        Write(destination, s =>
        {
            using var input = File.OpenRead(source);
            input.CopyTo(s);
        });

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
