using System.Text.Json;
using SharpTune.Families;
using SharpTune.Families.Vit;
using SharpTune.Tests.Reliability;
using SharpTune.Tests.Training;
using SharpTune.Training;
using SharpTune.Weights;

namespace SharpTune.Tests.Families;

/// <summary>
/// A model family added through the registries alone (a zoo entry, a family line, new files): a tiny ViT fine-tunes
/// through the one run pipeline, resumes to the uninterrupted run's bytes, exports its state dict and loads back for
/// prediction and evaluation — with no change to the engine, the jobs or the CLI.
/// </summary>
public class VitFamilyTests
{
    private static string[] Args(string data, string run) =>
    [
        "finetune", "--data", data, "--out", run, "--model", "test-vit", "--init", "scratch", "--epochs", "3", "--batch-size", "8",
        "--optimizer", "adamw", "--lr", "1e-3", "--loss-reduction", "mean", "--threads", "1", "--workers", "1",
    ];

    [Fact]
    public void A_tiny_vit_fine_tunes_resumes_exports_and_predicts_through_the_registry()
    {
        Assert.IsType<VitFamily>(ModelFamilies.For("test-vit"));
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));

        var whole = dir.File("whole");
        var uninterrupted = CliProcess.Run(null, Args(data, whole));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Stderr);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "summary.json"))).RootElement;
        Assert.Equal(3, summary.GetProperty("epochs").GetInt32());
        Assert.True(summary.GetProperty("final").GetProperty("test_acc").GetDouble() >= 0.75, "the bright/dark task is learnt"); // 8 test images
        Assert.Equal("vit", JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "model.json"))).RootElement.GetProperty("architecture").GetString());

        // Killed after epoch 1's checkpoint, resumed: the uninterrupted run's weights, byte for byte.
        var run = dir.File("run");
        var killed = CliProcess.Run(new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "step:2:1" }, Args(data, run));
        Assert.Equal(137, killed.Code);
        var resumed = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.True(resumed.Code == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));

        // The state dict exports with timm's names, and the run loads back for prediction and evaluation.
        var exported = dir.File("export/vit.safetensors");
        var export = CliProcess.Run(null, "export", "--run", run, "--format", "safetensors", "--out", exported);
        Assert.True(export.Code == 0, export.Stderr);
        var tensors = StateDictFile.Read(exported);
        try
        {
            Assert.Contains("blocks.0.attn.qkv.weight", tensors.Keys);
            Assert.Contains("head.weight", tensors.Keys);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        var image = Path.Combine(data, "test", "dark", "000.png");
        var predict = CliProcess.Run(null, "predict", "--run", run, "--json", image);
        Assert.True(predict.Code == 0, predict.Stderr);
        using var classifier = ModelFamilies.ForRun(new RunDirectory(run)).Load(new RunDirectory(run));
        Assert.Equal(["bright", "dark"], classifier.Classes);
        Assert.Equal(2, classifier.PredictBatch([image], 2)[0].Count);
        var evaluate = CliProcess.Run(null, "evaluate", "--run", run, "--data", data, "--threads", "1");
        Assert.True(evaluate.Code == 0, evaluate.Stderr);
        Assert.Matches("accuracy=[0-9.]+", evaluate.Stdout);
    }

    [Fact]
    public void Options_the_vit_family_does_not_support_are_refused_by_name()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var wrongSize = CliProcess.Run(null, [.. Args(data, dir.File("a")), "--size", "64"]);
        Assert.Equal(2, wrongSize.Code);
        Assert.Contains("--size", wrongSize.Stderr);
        var sync = CliProcess.Run(null, [.. Args(data, dir.File("b")), "--precision", "bf16-force"]);
        Assert.Equal(2, sync.Code);
        Assert.Contains("--precision", sync.Stderr);
        Assert.False(Directory.Exists(dir.File("a")) || Directory.Exists(dir.File("b")));
    }
}
