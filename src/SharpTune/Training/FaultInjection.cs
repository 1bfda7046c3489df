using System.Diagnostics;

namespace SharpTune.Training;

/// <summary>
/// Deterministic crash points for the reliability suite: when the environment variable
/// <c>SHARPTUNE_FAULT</c> names a point, the process kills itself with SIGKILL when it gets there, exactly as an
/// out-of-memory killer or a power cut would. Points: <c>step:E:S</c> (after step S of epoch E),
/// <c>checkpoint:E</c> (while writing epoch E's checkpoint, after the weights, before it becomes the latest),
/// <c>evaluate:E</c> (during epoch E's evaluation). A prefix <c>rankN:</c> limits the fault to rank N of an
/// <c>mpirun</c> job; <c>SHARPTUNE_FAULT_MODE=throw</c> raises an <see cref="IOException"/> instead of killing (a
/// failure the process can still report). Unset (always, outside tests), it costs one string comparison.
/// </summary>
public static class FaultInjection
{
    /// <summary>The environment variable read at start-up.</summary>
    public const string EnvironmentVariable = "SHARPTUNE_FAULT";

    /// <summary>The environment variable choosing how the fault strikes: <c>kill</c> (default) or <c>throw</c>.</summary>
    public const string ModeVariable = "SHARPTUNE_FAULT_MODE";

    private static readonly string? Point = ForThisRank(Environment.GetEnvironmentVariable(EnvironmentVariable));
    private static readonly bool Throws = Environment.GetEnvironmentVariable(ModeVariable) == "throw";

    /// <summary>Kills the process (or throws) if <paramref name="point"/> is the configured fault point.</summary>
    public static void Hit(string point)
    {
        if (Point is null || !string.Equals(Point, point, StringComparison.Ordinal)) return;
        if (Throws) throw new IOException($"fault injected at {point} ({EnvironmentVariable})");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill(); // SIGKILL on Unix: no finally blocks, no flushing
    }

    private static string? ForThisRank(string? point)
    {
        if (point is null || !point.StartsWith("rank", StringComparison.Ordinal)) return point;
        int colon = point.IndexOf(':');
        if (colon < 0 || !int.TryParse(point.AsSpan(4, colon - 4), out int rank)) return point;
        return rank == Distributed.MpiCommunicator.LauncherRank ? point[(colon + 1)..] : null;
    }
}
