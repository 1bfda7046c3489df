using System.Text.Json;
using SharpTune.Tests.Training;

namespace SharpTune.Tests.Reliability;

/// <summary>
/// SIGKILL at different points of a real run (mid-epoch, while writing a checkpoint, during evaluation), then
/// <c>--resume</c>: the result equals an uninterrupted run of the same seed, weights byte for byte.
/// </summary>
public class CrashResumeTests
{
    private const int Sigkill = 137; // 128 + 9

    private static string[] Run(string data, string output) =>
    [
        "finetune", "--data", data, "--out", output, "--model", "test-resnet", "--init", "scratch", "--size", "32",
        "--batch-size", "8", "--epochs", "3", "--lr", "0.01", "--momentum", "0.9", "--threads", "1", "--workers", "2", "--seed", "3",
    ];

    [Fact]
    public void Killed_runs_resume_to_the_uninterrupted_result()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var reference = dir.File("reference");
        var (code, _, stderr) = CliProcess.Run(null, Run(data, reference));
        Assert.True(code == 0, stderr);
        var expectedWeights = File.ReadAllBytes(Path.Combine(reference, "model.safetensors"));
        var expectedFinal = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "summary.json"))).RootElement.GetProperty("final");

        foreach (var fault in new[] { "step:2:2", "checkpoint:2", "evaluate:2", "checkpoint:1" })
        {
            var run = dir.File("run-" + fault.Replace(':', '-'));
            var killed = CliProcess.Run(new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = fault }, Run(data, run));
            Assert.True(killed.Code == Sigkill, $"{fault}: exit {killed.Code}: {killed.Stderr}");
            Assert.False(File.Exists(Path.Combine(run, "summary.json")), fault);
            int expectedEpoch = fault == "checkpoint:1" ? 0 : 1;
            var latest = Path.Combine(run, "checkpoint", "latest.json");
            if (expectedEpoch == 0) Assert.False(File.Exists(latest), fault);
            else Assert.Equal(expectedEpoch, JsonDocument.Parse(File.ReadAllText(latest)).RootElement.GetProperty("epoch").GetInt32());

            var resumed = CliProcess.Run(null, "finetune", "--resume", run);
            Assert.True(resumed.Code == 0, $"{fault}: resume failed: {resumed.Stderr}");
            var final = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement.GetProperty("final");
            Assert.Equal(expectedFinal.GetProperty("train_loss").GetDouble(), final.GetProperty("train_loss").GetDouble(), 6);
            Assert.Equal(expectedFinal.GetProperty("test_acc").GetDouble(), final.GetProperty("test_acc").GetDouble());
            Assert.Equal(expectedFinal.GetProperty("test_loss").GetDouble(), final.GetProperty("test_loss").GetDouble(), 6);
            Assert.True(expectedWeights.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(run, "model.safetensors"))), $"{fault}: weights differ");
            Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        }
    }
}
