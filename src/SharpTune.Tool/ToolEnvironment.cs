using System.Runtime.InteropServices;

namespace SharpTune.Tool;

/// <summary>
/// What the ./sharptune launcher sets in the environment before it starts the CLI, done in-process by the tool.
/// </summary>
internal static partial class ToolEnvironment
{
    /// <summary>The variable libgomp (libtorch's OpenMP runtime) reads when it is loaded.</summary>
    public const string OmpWaitPolicy = "OMP_WAIT_POLICY";

    /// <summary>
    /// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> unless the variable is set already, as the launcher does: libgomp otherwise
    /// spin-waits, and on a few cores its spinning threads take the CPU that the data workers need. libgomp reads the
    /// variable with getenv() when libtorch is loaded, which happens at the first tensor operation, after this runs.
    /// .NET's Environment.SetEnvironmentVariable changes only the runtime's own copy on Linux, so the C library's
    /// environment is set with setenv(3) as well (the managed copy serves child processes).
    /// </summary>
    public static void Apply()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OmpWaitPolicy))) return;
        Environment.SetEnvironmentVariable(OmpWaitPolicy, "PASSIVE");
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) SetEnv(OmpWaitPolicy, "PASSIVE", 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
