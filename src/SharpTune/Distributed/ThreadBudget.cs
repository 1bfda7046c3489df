namespace SharpTune.Distributed;

/// <summary>
/// How many CPU threads one process of a group may use without oversubscribing its host: the cores it may run on
/// (its CPU affinity, e.g. <c>mpirun</c>'s binding) shared by the group's processes on that host when they are not bound.
/// </summary>
public static class ThreadBudget
{
    /// <summary>Threads for this process: at most <paramref name="requested"/>, at least 1.</summary>
    public static int For(int requested, ICommunicator group) =>
        Math.Max(1, Math.Min(requested, CoresFor(group.LocalSize, Environment.ProcessorCount, OnlineCpus())));

    /// <summary>
    /// Cores one of <paramref name="localProcesses"/> processes may use: its own affinity set when it is bound to fewer
    /// than all of the host's <paramref name="onlineCpus"/>, otherwise an equal share of them.
    /// </summary>
    public static int CoresFor(int localProcesses, int affinityCpus, int onlineCpus)
    {
        if (localProcesses <= 1) return affinityCpus;
        if (affinityCpus < onlineCpus) return affinityCpus; // bound by the launcher: the binding already shares the cores
        return Math.Max(1, onlineCpus / localProcesses);
    }

    /// <summary>CPUs online on this host (<c>/sys/devices/system/cpu/online</c>, e.g. "0-15"); the affinity count if unreadable.</summary>
    public static int OnlineCpus()
    {
        try
        {
            int count = 0;
            foreach (var part in File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(','))
            {
                var ends = part.Split('-');
                count += ends.Length == 2 ? int.Parse(ends[1]) - int.Parse(ends[0]) + 1 : 1;
            }
            return count > 0 ? count : Environment.ProcessorCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return Environment.ProcessorCount;
        }
    }
}
