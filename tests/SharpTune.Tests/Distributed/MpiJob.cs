using System.Diagnostics;
using SharpTune.Weights;

namespace SharpTune.Tests.Distributed;

/// <summary>Starts the real CLI under Open MPI's <c>mpirun</c>, and compares the weights runs wrote.</summary>
public static class MpiJob
{
    public const string Mpirun = "/usr/bin/mpirun";

    public static string Cli => Path.Combine(AppContext.BaseDirectory, "SharpTune.Cli");

    /// <summary>Why MPI tests cannot run here, or null when they can.</summary>
    public static string? Missing =>
        !File.Exists(Mpirun) ? "Open MPI is not installed (apt-get install openmpi-bin libopenmpi-dev; .ci/run does it)"
        : !File.Exists("/usr/lib/x86_64-linux-gnu/libmpi.so.40") ? "libmpi.so.40 is missing (apt-get install libopenmpi-dev)"
        : null;

    /// <summary>
    /// <c>mpirun [launcher] -np N SharpTune.Cli args</c>; a job that does not end within the timeout is killed and fails
    /// the test (a hang is the failure mode a dead rank must not cause).
    /// </summary>
    public static (int Code, string Stdout, string Stderr, TimeSpan Elapsed) Run(int processes, IReadOnlyDictionary<string, string>? environment,
        IReadOnlyList<string>? launcher, params string[] args)
    {
        var psi = new ProcessStartInfo(Mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in launcher ?? []) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", processes.ToString(), Cli }.Concat(args)) psi.ArgumentList.Add(a);
        psi.Environment.Remove("SHARPTUNE_FAULT");
        psi.Environment.Remove("SHARPTUNE_FAULT_MODE");
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Start(psi);
    }

    public static (int Code, string Stdout, string Stderr, TimeSpan Elapsed) Start(ProcessStartInfo psi)
    {
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not end in 2 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    /// <summary>
    /// Largest difference over every float tensor of two state-dict files (same keys), relative to the tensor's scale:
    /// max |a − b| / max |a| (a tensor that is 0 everywhere in a must be 0 in b). Tensors live on very different
    /// scales (BatchNorm running variances of a model trained from scratch reach the hundreds, conv weights are
    /// around 0.1), so an absolute bound is too loose for some and too tight for others.
    /// </summary>
    public static (double Diff, string Key) MaxDifference(string fileA, string fileB)
    {
        var a = StateDictFile.Read(fileA);
        var b = StateDictFile.Read(fileB);
        try
        {
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            return a.Where(kv => kv.Value.is_floating_point())
                .Select(kv =>
                {
                    double diff = Tolerances.MaxAbsDiff(kv.Value, b[kv.Key]), scale = Tolerances.MaxAbs(kv.Value);
                    return (Diff: diff == 0 ? 0 : scale == 0 ? double.PositiveInfinity : diff / scale, kv.Key);
                })
                .MaxBy(x => x.Diff);
        }
        finally
        {
            foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        }
    }
}
