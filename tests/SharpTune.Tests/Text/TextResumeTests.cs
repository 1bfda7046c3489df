using SharpTune.Models.Bert;
using SharpTune.Training;
using SharpTune.Tuning;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tests.Text;

public class TextResumeTests
{
    private sealed record Setup(BertForSequenceClassification Model, OptimizerHelper Optimizer, FreezePlan Plan, IReadOnlyList<ITrainerCallback> Hooks) : IDisposable
    {
        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
        }
    }

    private const int Epochs = 3;

    private static Setup Create(int stepsPerEpoch)
    {
        manual_seed(42);
        var model = new BertForSequenceClassification(TinyBert.Config, 2, TextPooling.Mean);
        var plan = new FreezePlan(model, "none");
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.LayerDecay, 1e-3, 1, 0.01, layerDecay: 0.9);
        var optimizer = ParameterGroups.Create(OptimizerKind.AdamW, groups, 0, 0.999);
        ITrainerCallback[] hooks =
        [
            new GradientClipping(groups.SelectMany(g => g.Parameters).ToList(), 1.0),
            new SharpTune.Training.Schedules.LrScheduler(optimizer, groups.Select(g => g.LearningRate).ToList(),
                new SharpTune.Training.Schedules.LinearWarmupDecaySchedule(0.1), 1, stepsPerEpoch, Epochs * stepsPerEpoch),
        ];
        return new Setup(model, optimizer, plan, hooks);
    }

    private static Trainer TrainerFor(Setup s) => new(s.Model, s.Optimizer, s.Plan.SetTrainingMode, LossReduction.Mean, s.Hooks);

    [Fact]
    public void Training_learns_the_synthetic_text_task_and_a_resumed_run_ends_identical()
    {
        var train = TinyBert.Source(48, 8, seed: 1);
        var test = TinyBert.Source(16, 8, seed: 2, shuffle: false);
        using var dir = new TempDirectory();

        using var full = Create(train.BatchesPerEpoch);
        var fullMetrics = TrainerFor(full).Fit(train, test, 1, Epochs);
        Assert.True(fullMetrics[^1].TestAcc >= 0.9, $"test acc {fullMetrics[^1].TestAcc}");
        Assert.True(fullMetrics[^1].F1Macro >= 0.9, $"f1 {fullMetrics[^1].F1Macro}");

        using (var first = Create(train.BatchesPerEpoch))
        {
            var history = TrainerFor(first).Fit(train, test, 1, 2).ToList();
            Checkpoint.Save(dir.Path, 2, first.Model, first.Optimizer, history, ["ham", "spam"]);
        }
        using var resumed = Create(train.BatchesPerEpoch);
        var state = Checkpoint.Latest(dir.Path)!;
        Checkpoint.Restore(dir.Path, state, resumed.Model, resumed.Optimizer);
        var rest = TrainerFor(resumed).Fit(train, test, 3, Epochs);

        Assert.Equal(fullMetrics[^1].TrainLoss, rest[^1].TrainLoss, 5);
        Assert.Equal(fullMetrics[^1].TestAcc, rest[^1].TestAcc);
        var expected = full.Model.state_dict();
        // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
        foreach (var (key, value) in resumed.Model.state_dict())
            Assert.True(value.allclose(expected[key], rtol: 0, atol: 1e-5), key);
    }

    /// <summary>
    /// The real CLI, killed in the middle of the warm-up/decay schedule (epoch 2, step 1 of 3 epochs), resumes to the
    /// uninterrupted run's bytes: the schedule continues from the recipe's base rates, not from the restored (already
    /// decayed) rates of the optimiser, which applied the decay twice before.
    /// </summary>
    [Fact]
    public void A_text_run_killed_mid_schedule_resumes_to_identical_weights_and_metrics()
    {
        using var dir = new TempDirectory();
        var data = TextEngineFeatureTests.Csv(dir.File("data"));
        string[] Args(string run) => ["finetune", "--data", data, "--out", run, "--model", "test-bert", "--init", "scratch", "--max-length", "16",
            "--batch-size", "8", "--epochs", "3", "--lr", "0.003", "--threads", "1"];

        var whole = dir.File("whole");
        var uninterrupted = Reliability.CliProcess.Run(null, Args(whole));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Stderr);
        var killedRun = dir.File("killed");
        var killed = Reliability.CliProcess.Run(new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "step:2:1" }, Args(killedRun));
        Assert.Equal(137, killed.Code);
        var resumed = Reliability.CliProcess.Run(null, "finetune", "--resume", killedRun);
        Assert.True(resumed.Code == 0, resumed.Stderr);

        Assert.Equal(File.ReadAllText(Path.Combine(whole, "metrics.jsonl")).Split('\n').Select(StripTiming),
                     File.ReadAllText(Path.Combine(killedRun, "metrics.jsonl")).Split('\n').Select(StripTiming));
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(killedRun, "model.safetensors")));
    }

    /// <summary>A metrics line without its wall-clock fields (speed and time differ between any two runs).</summary>
    private static string StripTiming(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, "\"(examples_per_sec|epoch_seconds|data_wait_seconds)\":[^,}]*,?", "");
}
