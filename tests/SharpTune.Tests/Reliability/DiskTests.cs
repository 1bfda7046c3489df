using System.Diagnostics;
using SharpTune.Tests.Training;

namespace SharpTune.Tests.Reliability;

/// <summary>
/// A full disk and a read-only output folder, made real with small tmpfs mounts (root only; skipped elsewhere with the
/// reason): a clear error, exit code 1 or 2, and nothing half-written left looking complete.
/// </summary>
public class DiskTests
{
    private static bool Mount(string dir, string options)
    {
        Directory.CreateDirectory(dir);
        using var p = Process.Start(new ProcessStartInfo("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]) { RedirectStandardError = true })!;
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    private static void Unmount(string dir)
    {
        using var p = Process.Start(new ProcessStartInfo("umount", [dir]) { RedirectStandardError = true })!;
        p.WaitForExit();
    }

    private static string[] Args(string data, string output) =>
    [
        "finetune", "--data", data, "--out", output, "--model", "test-resnet", "--init", "scratch", "--size", "32",
        "--batch-size", "8", "--epochs", "2", "--threads", "1", "--workers", "1",
    ];

    [SkippableFact]
    public void A_full_disk_gives_a_clear_error_and_leaves_no_complete_looking_run()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 4, testPerClass: 2);
        var full = dir.File("full");
        Skip.IfNot(Mount(full, "size=160k"), "needs root to mount a small tmpfs");
        try
        {
            var run = Path.Combine(full, "run");
            var (code, _, stderr) = CliProcess.Run(null, Args(data, run));
            Assert.Equal(1, code);
            Assert.Contains("No space left on device", stderr);
            Assert.False(File.Exists(Path.Combine(run, "summary.json")));
            Assert.Empty(Directory.GetFiles(full, "*.tmp", SearchOption.AllDirectories));
            Assert.False(File.Exists(Path.Combine(run, "checkpoint", "latest.json")), "no checkpoint can have completed");
        }
        finally
        {
            Unmount(full);
        }
    }

    [SkippableFact]
    public void A_read_only_output_folder_is_refused_before_any_work()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 2, testPerClass: 1);
        var readOnly = dir.File("ro");
        Skip.IfNot(Mount(readOnly, "size=64k,ro"), "needs root to mount a read-only tmpfs");
        try
        {
            var (code, _, stderr) = CliProcess.Run(null, Args(data, Path.Combine(readOnly, "run")));
            Assert.Equal(2, code);
            Assert.Contains("--out", stderr);
            Assert.Contains("Read-only file system", stderr);
        }
        finally
        {
            Unmount(readOnly);
        }
    }
}
