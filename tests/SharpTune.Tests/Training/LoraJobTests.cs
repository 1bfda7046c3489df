using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Training;
using SharpTune.Tuning.Lora;
using SharpTune.Weights;

namespace SharpTune.Tests.Training;

public class LoraJobTests
{
    [Fact]
    public void A_LoRA_run_trains_a_small_share_and_writes_adapter_and_merged_model()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var options = new FineTuneOptions
        {
            Data = data, Model = "test-resnet", Init = InitMode.Scratch, Size = 32, BatchSize = 8, Threads = 1, Workers = 2,
            Epochs = 2, Lr = 0.01, LossReduction = LossReduction.Mean, Method = TuningMethod.Lora, LoraR = 2, LoraAlpha = 4,
        };
        var result = FineTuneJob.Run(options, dir.File("run"));
        var s = result.Summary;
        Assert.True(s.TrainableParams < s.TotalParams / 10, $"{s.TrainableParams} of {s.TotalParams}");
        // A (r×in×3×3) and B (out×r) of layer4.0.conv1 (32→64) and conv2 (64→64), plus the head (64×2 + 2).
        Assert.Equal(2 * 32 * 9 + 64 * 2 + 2 * 64 * 9 + 64 * 2 + 64 * 2 + 2, s.TrainableParams);

        var run = result.Directory.Path;
        var adapterKeys = StateDictFile.Read(Path.Combine(run, LoraModel.WeightsFileName)).Keys.ToList();
        Assert.Contains("base_model.model.layer4.0.conv1.lora_A.weight", adapterKeys);
        Assert.Contains("base_model.model.fc.modules_to_save.weight", adapterKeys);
        Assert.Equal(6, adapterKeys.Count);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, LoraModel.ConfigFileName)));
        Assert.Equal(2, config.RootElement.GetProperty("r").GetInt32());

        // model.safetensors holds plain (merged) weights: the inference API needs no LoRA to use it.
        Assert.DoesNotContain(StateDictFile.Read(result.Directory.WeightsFile).Keys, k => k.Contains("lora_"));
        using var model = SharpTuneModel.Load(run);
        var image = Path.Combine(data, "test", "dark", "000.png");
        Assert.Equal(2, model.Predict(image, topK: 2).Count);

        // The export is the merged model: the same tensors as the run's model.safetensors, which differ from the base
        // weights the adapter was trained on (the merge added B·A·alpha/r to the targeted convolutions).
        var exported = dir.File("merged.safetensors");
        var (code, stdout, stderr) = SharpTune.Tests.Cli.CliRunner.Run("export", "--run", run, "--format", "safetensors", "--out", exported);
        Assert.True(code == 0, stderr);
        Assert.Contains("merged", stdout);
        var merged = StateDictFile.Read(exported);
        var saved = StateDictFile.Read(result.Directory.WeightsFile);
        foreach (var (name, tensor) in saved)
            Assert.True(merged.ContainsKey(name) && tensor.allclose(merged[name], rtol: 0, atol: 0), $"{name} differs from the run's merged weights");
        var adapter = StateDictFile.Read(Path.Combine(run, LoraModel.WeightsFileName));
        using (var update = adapter["base_model.model.layer4.0.conv1.lora_B.weight"].flatten(1).matmul(adapter["base_model.model.layer4.0.conv1.lora_A.weight"].flatten(1)))
            Assert.True(update.abs().max().item<float>() > 0, "the adapter learnt nothing, so merging cannot be told apart");
        // --merge was a flag that changed nothing; it is gone.
        Assert.Equal(2, SharpTune.Tests.Cli.CliRunner.Run("export", "--run", run, "--merge", "--format", "pth").Code);
    }
}
