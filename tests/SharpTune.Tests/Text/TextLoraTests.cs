using System.Text.Json;
using SharpTune.Tests.Cli;
using SharpTune.Tuning.Lora;
using SharpTune.Weights;

namespace SharpTune.Tests.Text;

/// <summary><c>--method lora</c> on the tiny BERT through the CLI: PEFT files, a small trainable share, merged weights.</summary>
public class TextLoraTests
{
    [Fact]
    public void A_text_LoRA_run_adapts_query_and_value_and_ships_merged_weights()
    {
        using var dir = new TempDirectory();
        var data = dir.File("data");
        Directory.CreateDirectory(data);
        foreach (var (file, n) in new[] { ("train.csv", 3), ("test.csv", 1) })
            File.WriteAllLines(Path.Combine(data, file), ["text,label", .. Enumerable.Range(0, n).SelectMany(_ => new[] { "win free money now,spam", "see you at lunch,ham" })]);
        var run = dir.File("run");
        var (code, _, stderr) = CliRunner.Run("finetune", "--data", data, "--out", run, "--model", "test-bert", "--init", "scratch", "--max-length", "16",
            "--batch-size", "4", "--epochs", "1", "--threads", "1", "--method", "lora", "--lora-r", "2", "--lora-alpha", "4");
        Assert.True(code == 0, stderr);
        Assert.Contains("LoRA r=2", stderr);

        var adapter = StateDictFile.Read(Path.Combine(run, LoraModel.WeightsFileName));
        Assert.Contains("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight", adapter.Keys);
        Assert.Contains("base_model.model.bert.encoder.layer.0.attention.self.value.lora_B.weight", adapter.Keys);
        Assert.DoesNotContain(adapter.Keys, k => k.Contains(".key.lora_"));
        Assert.Contains(adapter.Keys, k => k.StartsWith("base_model.model.classifier.modules_to_save.", StringComparison.Ordinal));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, LoraModel.ConfigFileName)));
        Assert.Equal(["query", "value"], config.RootElement.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        long trainable = summary.RootElement.GetProperty("trainable_params").GetInt64();
        long total = summary.RootElement.GetProperty("total_params").GetInt64();
        Assert.True(trainable < total / 10, $"{trainable} of {total}");
        Assert.DoesNotContain(StateDictFile.Read(Path.Combine(run, "model.safetensors")).Keys, k => k.Contains("lora_"));

        var (predictCode, stdout, predictErr) = CliRunner.Run("predict", "--run", run, "free money", "--json");
        Assert.True(predictCode == 0, predictErr);
        Assert.Contains("\"probability\"", stdout);
    }
}
