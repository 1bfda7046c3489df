using System.Diagnostics;

namespace SharpTune.Tests.Reliability;

/// <summary>Runs the real CLI binary (built beside the tests) as a separate process.</summary>
public static class CliProcess
{
    /// <summary>How the CLI is started: stdout and stderr redirected, no fault injection unless <paramref name="environment"/> sets one.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? environment, string? workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "SharpTune.Cli"), args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.Environment.Remove("SHARPTUNE_FAULT");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    public static (int Code, string Stdout, string Stderr) Run(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Run(StartInfo(environment, null, args));

    /// <summary>Runs the CLI in <paramref name="workingDirectory"/> (the test process's own current directory is shared by every test).</summary>
    public static (int Code, string Stdout, string Stderr) RunIn(string workingDirectory, params string[] args) =>
        Run(StartInfo(null, workingDirectory, args));

    private static (int Code, string Stdout, string Stderr) Run(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("sharptune " + string.Join(' ', psi.ArgumentList) + " did not finish in 3 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
