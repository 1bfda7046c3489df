using System.Diagnostics;

namespace SharpTune.Training;

/// <summary>
/// Deterministic crash points for the reliability suite: when the environment variable
/// <c>SHARPTUNE_FAULT</c> names a point, the process kills itself with SIGKILL when it gets there, exactly as an
/// out-of-memory killer or a power cut would. Points: <c>step:E:S</c> (after step S of epoch E),
/// <c>checkpoint:E</c> (while writing epoch E's checkpoint, after the weights, before it becomes the latest),
/// <c>evaluate:E</c> (during epoch E's evaluation). Unset (always, outside tests), it costs one string comparison.
/// </summary>
public static class FaultInjection
{
    /// <summary>The environment variable read at start-up.</summary>
    public const string EnvironmentVariable = "SHARPTUNE_FAULT";

    private static readonly string? Point = Environment.GetEnvironmentVariable(EnvironmentVariable);

    /// <summary>Kills the process if <paramref name="point"/> is the configured fault point.</summary>
    public static void Hit(string point)
    {
        if (Point is null || !string.Equals(Point, point, StringComparison.Ordinal)) return;
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill(); // SIGKILL on Unix: no finally blocks, no flushing
    }
}
