using SharpTune.Tests.Training;
using SharpTune.Weights;

namespace SharpTune.Tests.Reliability;

/// <summary>Runtime misuse through the real CLI: each gives exit 1 or 2 and a message naming the culprit.</summary>
public class BadRunInputTests
{
    private static string[] Args(string data, string output, params string[] extra) =>
    [
        "finetune", "--data", data, "--out", output, "--model", "test-resnet", "--size", "32",
        "--batch-size", "8", "--epochs", "2", "--threads", "1", "--workers", "1",
        .. extra.Contains("--init") ? extra : [.. extra, "--init", "scratch"],
    ];

    private static string Interrupted(TempDirectory dir, string data)
    {
        var run = dir.File("run");
        var killed = CliProcess.Run(new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "step:2:1" }, Args(data, run));
        Assert.Equal(137, killed.Code);
        return run;
    }

    [Fact]
    public void Resuming_on_another_class_set_is_refused_naming_both_sets()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = Interrupted(dir, data);
        foreach (var split in new[] { "train", "test" })
            Directory.Move(Path.Combine(data, split, "dark"), Path.Combine(data, split, "night"));
        var (code, _, stderr) = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.Equal(1, code);
        Assert.Contains("night", stderr);
        Assert.Contains("dark", stderr);
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
    }

    [Fact]
    public void Resuming_a_run_whose_architecture_was_changed_is_refused()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var run = Interrupted(dir, data);
        var config = Path.Combine(run, "config.yaml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("model: test-resnet", "model: resnet18-tv"));
        var (code, _, stderr) = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.Equal(1, code);
        Assert.Contains("do not fit this architecture", stderr);
        Assert.Contains("checkpoint", stderr);
    }

    [Fact]
    public void A_weights_file_of_the_wrong_shape_or_a_YAML_value_of_the_wrong_type_is_named()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var weights = dir.File("tv18.safetensors");
        using (var tv = SharpTune.Models.ModelZoo.Get("resnet18-tv").Build(2)) StateDictFile.WriteSafetensors(weights, tv.state_dict());
        var (code, _, stderr) = CliProcess.Run(null, Args(data, dir.File("r1"), "--init", "pretrained", "--weights", weights));
        Assert.Equal(1, code);
        Assert.Contains(weights, stderr);
        Assert.Single(stderr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir.File("r1"), "summary.json")));

        var yaml = dir.File("c.yaml");
        File.WriteAllText(yaml, "epochs: three\n");
        (code, _, stderr) = CliProcess.Run(null, Args(data, dir.File("r2"), "--config", yaml));
        Assert.Equal(2, code);
        Assert.Contains("'epochs'", stderr);
        Assert.Contains(yaml, stderr);
    }
}
