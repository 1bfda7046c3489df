using SharpTune.Training;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;

namespace SharpTune.Tests.Training;

/// <summary>Recipes end to end on the tiny model: fastai phases, resume mid-schedule, early stopping, lr-find.</summary>
public class RecipeJobTests
{
    private static FineTuneOptions Tiny(string data) => new()
    {
        Data = data, Model = "test-resnet", Init = InitMode.Scratch, Size = 32, BatchSize = 8, Threads = 1, Workers = 2, Seed = 5,
    };

    private sealed class CancelAfterEpoch(int epoch, CancellationTokenSource cts) : IRunObserver
    {
        public void AfterEpoch(EpochMetrics metrics)
        {
            if (metrics.Epoch == epoch) cts.Cancel();
        }
    }

    [Fact]
    public void Fastai_recipe_resumed_mid_schedule_equals_the_uninterrupted_run()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var fastai = Recipes.ApplyPreset(Tiny(data) with { Recipe = RecipeKind.Fastai, Epochs = 2, FreezeEpochs = 1 }, new HashSet<string>());
        Assert.Equal((OptimizerKind.AdamW, ScheduleKind.OneCycle, true), (fastai.Optimizer, fastai.Schedule, fastai.TrainBn));

        var full = FineTuneJob.Run(fastai, dir.File("full"));
        Assert.Equal(3, full.Summary.Epochs); // 1 frozen + 2
        Assert.Equal("fastai", full.Summary.Recipe);

        using var cts = new CancellationTokenSource();
        var interrupted = dir.File("interrupted");
        Assert.ThrowsAny<OperationCanceledException>(() => FineTuneJob.Run(fastai, interrupted, new CancelAfterEpoch(2, cts), cts.Token));
        var resumed = FineTuneJob.Resume(interrupted);
        Assert.Equal(full.Summary.Final.TrainLoss, resumed.Summary.Final.TrainLoss, 6);
        Assert.Equal(File.ReadAllBytes(full.Directory.WeightsFile), File.ReadAllBytes(resumed.Directory.WeightsFile));
    }

    [Fact]
    public void Early_stopping_ends_the_run_and_keeps_the_best_epoch()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), trainPerClass: 4, testPerClass: 2);
        // A learning rate this small leaves the test accuracy where it is: epoch 1 stays the best.
        var result = FineTuneJob.Run(Tiny(data) with { Epochs = 6, Lr = 1e-12, EarlyStopping = 2 }, dir.File("run"));
        Assert.True(result.Summary.StoppedEarly);
        Assert.Equal(3, result.Summary.Epochs);
        Assert.Equal(1, result.Summary.BestEpoch);
        // model.safetensors holds epoch 1's weights: those kept in best.safetensors, not the last epoch's (which differ:
        // BatchNorm's running statistics move in every training epoch whatever the learning rate).
        var best = SharpTune.Weights.StateDictFile.Read(Path.Combine(result.Directory.CheckpointFolder, "best.safetensors"));
        var saved = SharpTune.Weights.StateDictFile.Read(result.Directory.WeightsFile);
        var last = SharpTune.Weights.StateDictFile.Read(Path.Combine(result.Directory.CheckpointFolder, "epoch-0003", "model.safetensors"));
        try
        {
            Assert.Equal(best.Keys.Order(), saved.Keys.Order());
            foreach (var (name, tensor) in best) Assert.True(tensor.allclose(saved[name], rtol: 0, atol: 0), $"{name} is not the best epoch's");
            Assert.Contains(best, kv => !kv.Value.allclose(last[kv.Key], rtol: 0, atol: 0));
        }
        finally
        {
            foreach (var t in best.Values.Concat(saved.Values).Concat(last.Values)) t.Dispose();
        }
    }

    [Fact]
    public void Lr_find_sweeps_suggests_and_saves_no_model()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var outDir = dir.File("lrfind");
        var result = LrFindJob.Run(Tiny(data) with { Momentum = 0.9 }, outDir, steps: 30, start: 1e-5, end: 10);
        Assert.InRange(result.LearningRates.Count, 11, 30);
        Assert.Equal(1e-5, result.LearningRates[0], 12);
        for (int i = 1; i < result.LearningRates.Count; i++) Assert.True(result.LearningRates[i] > result.LearningRates[i - 1]);
        Assert.Contains(result.Valley, result.LearningRates);
        Assert.True(File.Exists(Path.Combine(outDir, "lr-find.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "lr-find.json")));
        Assert.Empty(Directory.GetFiles(outDir, "*.safetensors", SearchOption.AllDirectories));
    }

    [Fact]
    public void Valley_and_steepest_on_a_known_curve()
    {
        var lrs = Enumerable.Range(0, 50).Select(i => Math.Pow(10, -6 + i * 0.1)).ToList();
        // Flat, then falling fastest around lr 1e-3 (i = 30), then exploding.
        var losses = lrs.Select((lr, i) => i < 45 ? 2.0 - 1.5 / (1 + Math.Exp(-(i - 30) / 2.0)) : 10.0).ToList();
        Assert.Equal(lrs[30], LrFinder.Steepest(lrs, losses), 12);
        Assert.InRange(LrFinder.Valley(lrs, losses), lrs[10], lrs[44]);
    }
}
