using System.Text.Json;
using SharpTune.Data;
using SharpTune.Tests.Distributed;
using SharpTune.Tests.Reliability;
using SharpTune.Text;
using Xunit;

namespace SharpTune.Tests.Text;

/// <summary>
/// Text runs go through the same pipeline as image runs, so the engine's features work for them too: schedules,
/// gradient accumulation, early stopping, and data parallelism over MPI with a sharded text loader.
/// </summary>
public class TextEngineFeatureTests
{
    /// <summary>A spam/ham CSV dataset: repeat × 8 training rows, 8 test rows.</summary>
    internal static string Csv(string folder, int repeat = 3)
    {
        Directory.CreateDirectory(folder);
        string[] spam = ["win free money now", "free prize claim now", "cheap pills win big", "click to win cash"];
        string[] ham = ["meeting notes for the project", "see you at lunch tomorrow", "the build is green again", "draft of the report"];
        foreach (var (file, times) in new[] { ("train.csv", repeat), ("test.csv", 1) })
            File.WriteAllLines(Path.Combine(folder, file),
                ["text,label", .. Enumerable.Range(0, times).SelectMany(_ => spam.Select(t => t + ",spam").Concat(ham.Select(t => t + ",ham")))]);
        return folder;
    }

    private static string[] Args(string data, string run, params string[] extra) =>
    [
        "finetune", "--data", data, "--out", run, "--model", "test-bert", "--init", "scratch", "--max-length", "16",
        "--batch-size", "8", "--threads", "1", .. extra.Contains("--lr") ? extra : [.. extra, "--lr", "0.003"],
    ];

    private static JsonElement Summary(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;

    private static Dictionary<string, string> Config(string run) =>
        File.ReadAllLines(Path.Combine(run, "config.yaml")).Where(l => !l.StartsWith('#') && l.Contains(": "))
            .ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 2)..]);

    [Fact]
    public void A_text_run_takes_another_schedule_and_accumulation_and_saves_them_as_what_ran()
    {
        using var dir = new TempDirectory();
        var data = Csv(dir.File("data"));
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "--epochs", "2", "--schedule", "cosine", "--warmup-epochs", "0.5", "--accumulate", "2"));
        Assert.True(code == 0, stderr);
        Assert.Contains("schedule cosine", stderr);
        var config = Config(run);
        Assert.Equal("cosine", config["schedule"]);
        Assert.Equal("2", config["accumulate"]);
        Assert.Equal("sun2019", config["recipe"]);
        Assert.Equal(2, Summary(run).GetProperty("epochs").GetInt32());

        // The default text run says what it ran: the linear warm-up/decay schedule of Sun et al., not d2l's constant.
        var defaults = dir.File("defaults");
        var plain = CliProcess.Run(null, Args(data, defaults, "--epochs", "1"));
        Assert.True(plain.Code == 0, plain.Stderr);
        Assert.Equal("linear", Config(defaults)["schedule"]);
        Assert.Contains("schedule linearwarmupdecay", plain.Stderr);
    }

    [Fact]
    public void A_text_run_computes_its_linear_layers_in_bf16_when_asked()
    {
        using var dir = new TempDirectory();
        var data = Csv(dir.File("data"));
        // bf16-force: the test must run on CPUs without native bf16 too (emulated there, slow but tiny here).
        var fp32 = CliProcess.Run(null, Args(data, dir.File("fp32"), "--epochs", "1"));
        var bf16 = CliProcess.Run(null, Args(data, dir.File("bf16"), "--epochs", "1", "--precision", "bf16-force"));
        Assert.True(fp32.Code == 0, fp32.Stderr);
        Assert.True(bf16.Code == 0, bf16.Stderr);
        Assert.Equal("bf16-force", Config(dir.File("bf16"))["precision"]);
        double lossFp32 = Summary(dir.File("fp32")).GetProperty("final").GetProperty("train_loss").GetDouble();
        double lossBf16 = Summary(dir.File("bf16")).GetProperty("final").GetProperty("train_loss").GetDouble();
        // Same seed and data: only the compute type differs. bf16 keeps 8 bits of mantissa (relative rounding 2^-9), so
        // the losses differ, but by far less than the loss itself.
        Assert.NotEqual(lossFp32, lossBf16);
        Assert.InRange(Math.Abs(lossFp32 - lossBf16) / lossFp32, 1e-9, 0.1);
    }

    [Fact]
    public void Early_stopping_ends_a_text_run_and_keeps_its_best_epoch()
    {
        using var dir = new TempDirectory();
        var data = Csv(dir.File("data"));
        var run = dir.File("run");
        // A rate this small leaves the test accuracy where epoch 1 put it: no later epoch beats it.
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "--epochs", "6", "--lr", "1e-9", "--early-stopping", "2"));
        Assert.True(code == 0, stderr);
        var summary = Summary(run);
        Assert.True(summary.GetProperty("stopped_early").GetBoolean());
        Assert.Equal(3, summary.GetProperty("epochs").GetInt32());
        Assert.Equal(1, summary.GetProperty("best_epoch").GetInt32());
        Assert.True(File.Exists(Path.Combine(run, "checkpoint", "best.safetensors")));
    }

    [Theory]
    [InlineData(24, 8, 2)]
    [InlineData(21, 8, 2)]  // a last batch of 5: parts of 2 and 3
    [InlineData(17, 8, 2)]  // a last training batch of 1 < 2 processes: left out of training
    [InlineData(10, 4, 3)]
    public void The_shards_of_a_text_source_cover_every_batch_once_in_order(int documents, int batch, int processes)
    {
        var ids = Enumerable.Range(0, documents).Select(i => new[] { 101, 1000 + i, 102 }).ToList();
        var labels = Enumerable.Range(0, documents).Select(i => i % 2).ToList();
        foreach (var shuffle in new[] { true, false })
        {
            var whole = new TextBatchSource(ids, labels, batch, shuffle, seed: 5, padId: 0);
            var shards = Enumerable.Range(0, processes).Select(r => new TextBatchSource(ids, labels, batch, shuffle, 5, 0, new DataShard(r, processes))).ToList();
            var wholeBatches = whole.Epoch(1).Select(b => { using (b) return b.SampleIndices!.ToList(); }).ToList();
            var parts = shards.Select(s => s.Epoch(1).Select(b => { using (b) return b.SampleIndices!.ToList(); }).ToList()).ToList();
            int remainder = documents % batch;
            bool dropsLast = shuffle && remainder > 0 && remainder < processes;
            int expected = dropsLast ? wholeBatches.Count - 1 : wholeBatches.Count;
            Assert.All(shards, s => Assert.Equal(expected, s.BatchesPerEpoch));
            for (int b = 0; b < expected; b++)
            {
                var union = parts.SelectMany(p => b < p.Count ? p[b] : []).ToList();
                Assert.Equal(wholeBatches[b], union);
            }
        }
    }

    [SkippableFact]
    public void A_text_run_trains_data_parallel_over_two_ranks_and_rank_0_writes_what_one_process_writes()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        using var dir = new TempDirectory();
        var data = Csv(dir.File("data"));
        var single = CliProcess.Run(null, Args(data, dir.File("one"), "--epochs", "1"));
        Assert.True(single.Code == 0, single.Stderr);
        var two = MpiJob.Run(2, null, null, [.. Args(data, dir.File("two"), "--epochs", "1"), "--distributed", "mpi"]);
        Assert.True(two.Code == 0, two.Stderr);
        Assert.Contains("data parallel: 2 processes", two.Stderr);
        var summary = Summary(dir.File("two"));
        Assert.Equal(2, summary.GetProperty("processes").GetInt32());
        Assert.Equal(24, summary.GetProperty("train_examples").GetInt32());
        Assert.Equal(Files(dir.File("one")), Files(dir.File("two")));
        // Dropout draws other masks when the batch is split, so the two runs are not bit-alike; both must have trained.
        Assert.True(double.IsFinite(summary.GetProperty("final").GetProperty("train_loss").GetDouble()));
    }

    private static List<string> Files(string run) =>
        Directory.EnumerateFiles(run, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(run, f))
            .Where(f => !f.StartsWith(".sharptune", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
}
