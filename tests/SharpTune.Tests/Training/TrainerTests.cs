using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Tuning;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Tests.Training;

public class TrainerTests
{
    private sealed record Setup(ResNet Model, TorchSharp.Modules.SGD Optimizer, FreezePlan Plan) : IDisposable
    {
        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
        }
    }

    private static Setup Create(double lr, double momentum = 0.9)
    {
        manual_seed(42);
        var model = ModelZoo.Get("test-resnet").Build(2);
        HeadInitializer.XavierUniform((TorchSharp.Modules.Linear)model.Classifier);
        var plan = new FreezePlan(model, FreezeLevel.None);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.BodyAndHead, lr, 10, 1e-3);
        return new Setup(model, (TorchSharp.Modules.SGD)ParameterGroups.Create(OptimizerKind.Sgd, groups, momentum, 0.99), plan);
    }

    private static Trainer TrainerFor(Setup s, params ITrainerCallback[] callbacks) =>
        new(s.Model, s.Optimizer, s.Plan.SetTrainingMode, LossReduction.Mean, callbacks);

    [Fact]
    public void Training_lowers_the_loss_and_learns_the_synthetic_task()
    {
        using var s = Create(lr: 0.01);
        var train = new SyntheticBatchSource(64, 16, seed: 1);
        var test = new SyntheticBatchSource(32, 16, seed: 2);
        var metrics = TrainerFor(s).Fit(train, test, 1, 4);
        Assert.Equal(4, metrics.Count);
        Assert.True(metrics[^1].TrainLoss < metrics[0].TrainLoss, $"{metrics[0].TrainLoss} → {metrics[^1].TrainLoss}");
        Assert.True(metrics[^1].TestAcc >= 0.9, $"test acc {metrics[^1].TestAcc}");
        Assert.All(metrics, m => Assert.True(m.ExamplesPerSec > 0 && m.EpochSeconds > 0));
    }

    [Fact]
    public void A_resumed_run_ends_with_the_same_weights_and_metrics_as_an_uninterrupted_one()
    {
        var train = new SyntheticBatchSource(48, 16, seed: 3);
        var test = new SyntheticBatchSource(16, 16, seed: 4);
        using var dir = new TempDirectory();

        using var full = Create(lr: 0.01);
        var fullMetrics = TrainerFor(full).Fit(train, test, 1, 3);

        using (var first = Create(lr: 0.01))
        {
            var history = TrainerFor(first).Fit(train, test, 1, 2).ToList();
            Checkpoint.Save(dir.Path, 2, first.Model, first.Optimizer, history, ["a", "b"]);
        }
        using var resumed = Create(lr: 0.01);
        var state = Checkpoint.Latest(dir.Path)!;
        Assert.Equal(2, state.Epoch);
        Checkpoint.Restore(dir.Path, state, resumed.Model, resumed.Optimizer);
        var rest = TrainerFor(resumed).Fit(train, test, 3, 3);

        Assert.Equal(fullMetrics[^1].TrainLoss, rest[^1].TrainLoss, 6);
        Assert.Equal(fullMetrics[^1].TestAcc, rest[^1].TestAcc);
        var expected = full.Model.state_dict();
        // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
        foreach (var (key, value) in resumed.Model.state_dict())
            Assert.True(value.allclose(expected[key], rtol: 0, atol: 1e-6), key);
    }

    [Fact]
    public void A_diverging_loss_stops_at_the_first_non_finite_step_and_keeps_the_last_checkpoint()
    {
        using var s = Create(lr: 1e12, momentum: 0);
        using var dir = new TempDirectory();
        var saver = new SaveEachEpoch(dir.Path, s);
        var train = new SyntheticBatchSource(64, 8, seed: 5);
        var test = new SyntheticBatchSource(8, 8, seed: 6);
        var e = Assert.Throws<NonFiniteLossException>(() => TrainerFor(s, saver).Fit(train, test, 1, 5));
        Assert.Contains($"epoch {e.Epoch}, step {e.Step}", e.Message);
        Assert.True(e.Epoch > 1 || e.Step > 1);
        var latest = Checkpoint.Latest(dir.Path);
        Assert.Equal(e.Epoch - 1, latest?.Epoch ?? 0);
    }

    private sealed class SaveEachEpoch(string folder, Setup s) : ITrainerCallback
    {
        private readonly List<EpochMetrics> _history = [];

        public void AfterEpoch(EpochMetrics metrics)
        {
            _history.Add(metrics);
            Checkpoint.Save(folder, metrics.Epoch, s.Model, s.Optimizer, _history, ["a", "b"]);
        }
    }
}
