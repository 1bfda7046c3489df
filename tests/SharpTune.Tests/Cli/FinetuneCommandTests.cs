using System.Text.Json;
using SharpTune.Cli;
using SharpTune.Tests.Training;

namespace SharpTune.Tests.Cli;

/// <summary>The finetune/compare/evaluate/predict commands end to end on a tiny model and tiny images.</summary>
public class FinetuneCommandTests
{
    private static readonly string[] Tiny = ["--model", "test-resnet", "--init", "scratch", "--size", "32", "--batch-size", "8", "--lr", "0.001", "--threads", "1", "--workers", "1"];

    /// <summary>The command line with the tiny defaults, each overridden by an option of the same name in <paramref name="extra"/>.</summary>
    private static string[] Args(string command, string data, string output, params string[] extra)
    {
        var given = extra.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
        var defaults = new List<string>();
        for (int i = 0; i < Tiny.Length; i += 2)
            if (!given.Contains(Tiny[i])) defaults.AddRange([Tiny[i], Tiny[i + 1]]);
        return [command, "--data", data, "--out", output, .. defaults, .. extra];
    }

    [Fact]
    public void Finetune_writes_the_run_directory_contract()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = dir.File("run");
        var (code, stdout, stderr) = CliRunner.Run(Args("finetune", data, run, "--epochs", "2"));
        Assert.True(code == 0, stderr);
        Assert.Contains("summary:", stdout);

        foreach (var f in new[] { "config.yaml", "metrics.jsonl", "summary.json", "model.safetensors", "model.json", "curves.png", "checkpoint/latest.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);

        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(2, lines.Length);
        using (var epoch = JsonDocument.Parse(lines[1]))
            foreach (var key in new[] { "epoch", "train_loss", "train_acc", "test_loss", "test_acc", "examples_per_sec", "epoch_seconds", "data_wait_seconds" })
                Assert.True(epoch.RootElement.TryGetProperty(key, out _), key);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var root = summary.RootElement;
        foreach (var key in new[] { "mode", "epochs", "final", "best_test_acc", "classes", "bad_images", "peak_rss_bytes", "data_wait_fraction" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal("scratch", root.GetProperty("mode").GetString());
        Assert.Equal(["bright", "dark"], root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        Assert.True(root.GetProperty("peak_rss_bytes").GetInt64() > 0);

        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model.json")));
        Assert.Equal(32, info.RootElement.GetProperty("input_size").GetInt32());
        Assert.Equal(1, info.RootElement.GetProperty("format_version").GetInt32());
    }

    [Fact]
    public void Flags_override_the_YAML_config_which_overrides_the_defaults()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 4, testPerClass: 2);
        var yaml = dir.File("config.yaml");
        File.WriteAllText(yaml, "epochs: 3\nmomentum: 0.5\nweight-decay: 0.01\n");
        var run = dir.File("run");
        var (code, _, stderr) = CliRunner.Run(Args("finetune", data, run, "--config", yaml, "--epochs", "1"));
        Assert.True(code == 0, stderr);
        var saved = File.ReadAllText(Path.Combine(run, "config.yaml"));
        Assert.Contains("epochs: 1\n", saved);           // flag beats YAML
        Assert.Contains("momentum: 0.5\n", saved);       // YAML beats default
        Assert.Contains("weight-decay: 0.01\n", saved);
        Assert.Contains("head-lr-mult: 10\n", saved);    // default
        Assert.Single(File.ReadAllLines(Path.Combine(run, "metrics.jsonl")));
    }

    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["--lr", "0"], "--lr" },
        { ["--lr", "abc"], "--lr" },
        { ["--batch-size", "0"], "--batch-size" },
        { ["--size", "8"], "--size" },
        { ["--freeze", "layer9"], "--freeze" },
        { ["--momentum", "1.5"], "--momentum" },
        { ["--device", "cuda"], "--device" },
        { ["--device", "tpu"], "--device" },
        { ["--model", "nosuchnet"], "--model" },
        { ["--loss-reduction", "max"], "--loss-reduction" },
        { ["--weights", "/nonexistent/w.safetensors", "--init", "pretrained"], "--weights" },
        { ["--bogus-option", "1"], "bogus" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Bad_options_exit_2_naming_the_option_before_any_work(string[] extra, string culprit)
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 1, testPerClass: 1);
        var run = dir.File("run");
        var (code, _, stderr) = CliRunner.Run(Args("finetune", data, run, extra));
        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Contains(culprit, stderr);
        Assert.False(Directory.Exists(run), "no run directory for a usage error");
    }

    [Fact]
    public void A_missing_data_folder_or_a_bad_YAML_key_exit_2()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliRunner.Run(Args("finetune", dir.File("nope"), dir.File("run")));
        Assert.Equal(2, code);
        Assert.Contains("--data", stderr);

        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 1, testPerClass: 1);
        var yaml = dir.File("bad.yaml");
        File.WriteAllText(yaml, "epochs: 2\nlearning-rate: 0.1\n");
        (code, _, stderr) = CliRunner.Run(Args("finetune", data, dir.File("run"), "--config", yaml));
        Assert.Equal(2, code);
        Assert.Contains("learning-rate", stderr);
        Assert.Contains(yaml, stderr);
    }

    [Fact]
    public void A_diverging_run_exits_1_naming_epoch_and_step_and_leaves_no_summary()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = dir.File("run");
        // The largest rates the options allow (lr 10, head ×10 ... ×1000) blow the tiny model up within 3 epochs: the
        // training loss (named with epoch and step) or the evaluation loss (named with its epoch) becomes non-finite.
        var (code, _, stderr) = CliRunner.Run(Args("finetune", data, run, "--lr", "10", "--head-lr-mult", "1000", "--epochs", "3"));
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.Matches("(training loss became .* at epoch [0-9]+, step [0-9]+|evaluation loss became .* at epoch [0-9]+)", stderr);
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
    }

    [Fact]
    public void Evaluate_and_predict_use_the_finished_run()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = dir.File("run");
        Assert.Equal(0, CliRunner.Run(Args("finetune", data, run, "--epochs", "3", "--lr", "0.01")).Code);

        var (code, stdout, stderr) = CliRunner.Run("evaluate", "--run", run, "--data", data, "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.Matches("accuracy=[0-9.]+ f1_macro=[0-9.]+", stdout.TrimEnd().Split('\n')[^1]);
        Assert.True(File.Exists(Path.Combine(run, "evaluation", "confusion.png")));
        using (var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "evaluation", "evaluation.json"))))
            Assert.Equal(8, eval.RootElement.GetProperty("report").GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt32())));

        var image = Path.Combine(data, "test", "bright", "000.png");
        (code, stdout, stderr) = CliRunner.Run("predict", "--run", run, image, "--json", "--top-k", "2");
        Assert.True(code == 0, stderr);
        using var predictions = JsonDocument.Parse(stdout);
        var top = predictions.RootElement[0].GetProperty("predictions");
        Assert.Equal(2, top.GetArrayLength());
        Assert.InRange(top.EnumerateArray().Sum(p => p.GetProperty("probability").GetSingle()), 0.999f, 1.001f);
    }

    [Fact]
    public void Compare_writes_both_runs_and_compare_json()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 4, testPerClass: 2);
        var outDir = dir.File("cmp");
        // test-resnet has no bundled weights: give it some, so that the fine-tune recipe has a pretrained body.
        var weights = dir.File("w.safetensors");
        using (var m = SharpTune.Models.ModelZoo.Get("test-resnet").Build(2))
            SharpTune.Weights.StateDictFile.WriteSafetensors(weights, m.state_dict());
        string[] args = ["compare", "--data", data, "--out", outDir, "--model", "test-resnet", "--weights", weights, "--size", "32",
                         "--batch-size", "8", "--epochs", "1", "--threads", "1", "--workers", "1"];
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        Assert.Matches("finetune test_acc=[0-9.]+ scratch test_acc=[0-9.]+", stdout);
        using var compare = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "compare.json")));
        Assert.Equal("finetune", compare.RootElement.GetProperty("finetune").GetProperty("mode").GetString());
        Assert.Equal("scratch", compare.RootElement.GetProperty("scratch").GetProperty("mode").GetString());
        Assert.True(File.Exists(Path.Combine(outDir, "compare.png")));
        Assert.Contains("lr: 0.0005", File.ReadAllText(Path.Combine(outDir, "scratch", "config.yaml")));
        Assert.Contains("param-groups: false", File.ReadAllText(Path.Combine(outDir, "scratch", "config.yaml")));
    }
}
