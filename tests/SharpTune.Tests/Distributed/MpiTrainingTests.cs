using System.Text.Json;
using SharpTune.Tests.Reliability;
using SharpTune.Tests.Training;
using Xunit;

namespace SharpTune.Tests.Distributed;

/// <summary>
/// Data-parallel fine-tuning under Open MPI with the real CLI: two ranks with a global batch B end with the weights of
/// one process with batch B; a dead or failing rank ends the job promptly, naming itself, and the run resumes with
/// another number of processes.
/// </summary>
public class MpiTrainingTests
{
    // 24 train images, batch 8: 3 optimiser steps an epoch. BatchNorm synchronised so that 2 ranks see the statistics of
    // the whole batch, as one process does.
    private static string[] Tiny(string data, string output, int epochs, string reduction = "mean") =>
    [
        "finetune", "--data", data, "--out", output, "--model", "test-resnet", "--init", "scratch", "--size", "32",
        "--batch-size", "8", "--epochs", epochs.ToString(), "--lr", reduction == "mean" ? "0.05" : "0.01", "--momentum", "0.9",
        "--loss-reduction", reduction, "--threads", "1", "--workers", "1", "--seed", "3", "--sync-bn", "true",
    ];

    /// <summary>
    /// How far the weights of <paramref name="epochs"/> epochs on 2 ranks may land from those of 1 process, relative to
    /// each tensor's scale: the gradient sums are added in another order (each rank sums its 4 images, the all-reduce
    /// adds the two), and the longest such sum is the stem's weight gradient and its SyncBatchNorm statistics over
    /// batch × the stem's output pixels, K = 8 × 16 × 16 = 2048; 3 steps an epoch, momentum 0.9.
    /// See <see cref="Tolerances.DataParallel"/> for the argument: 2·K·eps·5.6 = 2.7e-3 for one epoch.
    /// </summary>
    internal static double WeightTolerance(int epochs) => Tolerances.DataParallel(reduction: 8 * 16 * 16, steps: 3 * epochs, momentum: 0.9);

    [SkippableTheory]
    [InlineData("mean")]
    [InlineData("sum")]
    public void Two_ranks_end_with_the_weights_of_one_process(string reduction)
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var single = CliProcess.Run(null, Tiny(data, dir.File("one"), 1, reduction));
        Assert.True(single.Code == 0, single.Stderr);
        var two = MpiJob.Run(2, null, null, [.. Tiny(data, dir.File("two"), 1, reduction), "--distributed", "mpi"]);
        Assert.True(two.Code == 0, two.Stderr);
        Assert.Contains("data parallel: 2 processes", two.Stderr);

        var (diff, key) = MpiJob.MaxDifference(Path.Combine(dir.File("one"), "model.safetensors"), Path.Combine(dir.File("two"), "model.safetensors"));
        Tolerances.Within(diff, WeightTolerance(epochs: 1), $"{reduction}: {key}, relative to its scale");
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("two"), "summary.json"))).RootElement;
        Assert.Equal(2, summary.GetProperty("processes").GetInt32());
        var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("one"), "summary.json"))).RootElement;
        Assert.Equal(reference.GetProperty("final").GetProperty("train_acc").GetDouble(), summary.GetProperty("final").GetProperty("train_acc").GetDouble());
        Assert.Equal(reference.GetProperty("final").GetProperty("test_acc").GetDouble(), summary.GetProperty("final").GetProperty("test_acc").GetDouble());
        double lossOne = reference.GetProperty("final").GetProperty("train_loss").GetDouble();
        double lossTwo = summary.GetProperty("final").GetProperty("train_loss").GetDouble();
        // The epoch's loss is computed at weights whose updates differ by at most a fraction δ (the bound above) of
        // themselves; to first order that changes the loss by δ times what the updates changed it, at most the loss
        // itself: relative to the loss, the same bound.
        Tolerances.Within(Math.Abs(lossOne - lossTwo) / lossOne, WeightTolerance(epochs: 1), $"{reduction}: train loss {lossOne} vs {lossTwo}, relative");
        // Only rank 0 wrote, and it wrote what a single process writes.
        Assert.Equal(Files(dir.File("one")), Files(dir.File("two")));
        Assert.Empty(two.Stdout.Split('\n').Where(l => l.StartsWith("run: ")).Skip(1));
    }

    [SkippableFact]
    public void A_killed_rank_ends_the_job_and_the_run_resumes_with_another_number_of_processes()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var reference = MpiJob.Run(2, null, null, [.. Tiny(data, dir.File("reference"), 2), "--distributed", "mpi"]);
        Assert.True(reference.Code == 0, reference.Stderr);

        var run = dir.File("run");
        var killed = MpiJob.Run(2, new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "rank1:step:2:1" }, null,
            [.. Tiny(data, run, 2), "--distributed", "mpi"]);
        Assert.NotEqual(0, killed.Code);
        Assert.Contains("rank 1", killed.Stdout + killed.Stderr); // mpirun names the rank that died
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(60), $"the job took {killed.Elapsed} to end");
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
        var latest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "checkpoint", "latest.json"))).RootElement;
        Assert.Equal(1, latest.GetProperty("epoch").GetInt32());

        var resumed = CliProcess.Run(null, "finetune", "--resume", run); // one process now
        Assert.True(resumed.Code == 0, resumed.Stderr);
        var (diff, key) = MpiJob.MaxDifference(Path.Combine(dir.File("reference"), "model.safetensors"), Path.Combine(run, "model.safetensors"));
        Tolerances.Within(diff, WeightTolerance(epochs: 2), $"resumed on 1 process: {key}, relative to its scale");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [SkippableFact]
    public void A_failing_rank_reports_itself_and_ends_every_rank_and_the_same_ranks_resume()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = dir.File("run");
        var failed = MpiJob.Run(2, new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "rank1:step:2:2", ["SHARPTUNE_FAULT_MODE"] = "throw" }, null,
            [.. Tiny(data, run, 2), "--distributed", "mpi"]);
        Assert.Equal(1, failed.Code);
        Assert.Contains("error: rank 1 of 2: fault injected at step:2:2", failed.Stdout + failed.Stderr);
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));

        var resumed = MpiJob.Run(2, null, null, "finetune", "--resume", run, "--distributed", "mpi");
        Assert.True(resumed.Code == 0, resumed.Stderr);
        Assert.Contains("resumed from the checkpoint of epoch 1", resumed.Stderr);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        Assert.Equal(2, summary.GetProperty("processes").GetInt32());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
    }

    [SkippableFact]
    public void Bad_files_met_by_any_rank_are_reported_by_rank_0()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var planted = BadDataTests.Plant(data); // the truncated PNG passes the header probe: found while loading, by one rank
        var run = MpiJob.Run(2, null, null, [.. Tiny(data, dir.File("run"), 1), "--distributed", "mpi"]);
        Assert.True(run.Code == 0, run.Stderr);
        var reported = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "summary.json"))).RootElement
            .GetProperty("bad_images").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        Assert.Equal(planted.Values.ToHashSet(), reported);
    }

    [SkippableFact]
    public void Without_mpirun_the_distributed_option_runs_one_process()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = CliProcess.Run(null, [.. Tiny(data, dir.File("run"), 1), "--distributed", "mpi"]);
        Assert.True(run.Code == 0, run.Stderr);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "summary.json"))).RootElement;
        Assert.Equal(1, summary.GetProperty("processes").GetInt32());
    }

    [Fact]
    public void An_unknown_distributed_backend_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var run = CliProcess.Run(null, "finetune", "--data", dir.Path, "--distributed", "nccl");
        Assert.Equal(2, run.Code);
        Assert.Contains("--distributed", run.Stderr);
    }

    private static string[] Files(string run) =>
        [.. Directory.GetFiles(run, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(run, f)).Order()];
}
