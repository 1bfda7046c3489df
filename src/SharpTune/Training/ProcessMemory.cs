namespace SharpTune.Training;

/// <summary>Memory figures of the current process.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size in bytes (Linux <c>VmHWM</c>), or the .NET peak working set elsewhere.</summary>
    public static long PeakRssBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var kb = long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
    }
}
