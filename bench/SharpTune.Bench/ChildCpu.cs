using System.Runtime.InteropServices;

namespace SharpTune.Bench;

/// <summary>
/// CPU time (user + system) of this process's terminated, waited-for child processes and their descendants
/// (<c>getrusage(RUSAGE_CHILDREN)</c>): measures a peer process including its DataLoader worker processes.
/// </summary>
public static partial class ChildCpu
{
    /// <summary>Total CPU time of reaped children so far (zero where unsupported).</summary>
    public static TimeSpan Total()
    {
        if (!OperatingSystem.IsLinux()) return TimeSpan.Zero;
        var usage = new long[18];
        if (getrusage(-1, usage) != 0) return TimeSpan.Zero;
        // struct rusage starts with ru_utime and ru_stime, each a timeval { seconds, microseconds }.
        long micros = (usage[0] + usage[2]) * 1_000_000 + usage[1] + usage[3];
        return TimeSpan.FromMicroseconds(micros);
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int getrusage(int who, [Out] long[] usage);
}
