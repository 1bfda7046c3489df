using SharpTune.Training;

namespace SharpTune.Tests.Training;

/// <summary>The library entry point: interrupt and resume, head-row reuse from a run.</summary>
public class FineTuneJobTests
{
    private static FineTuneOptions Tiny(string data) => new()
    {
        Data = data, Model = "test-resnet", Init = InitMode.Scratch, Size = 32, BatchSize = 8, Lr = 0.001,
        Momentum = 0.9, Threads = 1, Workers = 2, Epochs = 3, Seed = 7,
    };

    private sealed class CancelAfterEpoch(int epoch, CancellationTokenSource cts) : IRunObserver
    {
        public void AfterEpoch(EpochMetrics metrics)
        {
            if (metrics.Epoch == epoch) cts.Cancel();
        }
    }

    [Fact]
    public void An_interrupted_and_resumed_run_matches_an_uninterrupted_one()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var full = FineTuneJob.Run(Tiny(data), dir.File("full"));

        using var cts = new CancellationTokenSource();
        var interrupted = dir.File("interrupted");
        Assert.ThrowsAny<OperationCanceledException>(() =>
            FineTuneJob.Run(Tiny(data), interrupted, new CancelAfterEpoch(1, cts), cts.Token));
        Assert.False(File.Exists(Path.Combine(interrupted, "summary.json")));
        Assert.Equal(1, Checkpoint.Latest(Path.Combine(interrupted, "checkpoint"))!.Epoch);

        var resumed = FineTuneJob.Resume(interrupted);
        Assert.Equal(full.Summary.Final.TrainLoss, resumed.Summary.Final.TrainLoss, 6);
        Assert.Equal(full.Summary.Final.TestAcc, resumed.Summary.Final.TestAcc);
        Assert.Equal(3, resumed.Directory.ReadMetrics().Count);
        Assert.Equal(File.ReadAllBytes(full.Directory.WeightsFile), File.ReadAllBytes(resumed.Directory.WeightsFile));
    }

    [Fact]
    public void Head_rows_of_shared_classes_are_reused_from_an_earlier_run()
    {
        using var dir = new TempDirectory();
        var first = FineTuneJob.Run(Tiny(TinyImageFolder.Create(dir.File("a"))) with { Epochs = 1 }, dir.File("run-a"));
        var other = TinyImageFolder.Create(dir.File("b"), trainPerClass: 2, testPerClass: 1, classes: ["Dark", "medium"]);
        var second = FineTuneJob.Run(Tiny(other) with { Epochs = 1, ReuseHead = first.Directory.Path }, dir.File("run-b"));
        var row = Assert.Single(second.Summary.ReusedHeadRows);
        Assert.Equal(("Dark", 0, "dark", 1), (row.TargetClass, row.TargetIndex, row.SourceClass, row.SourceIndex));
    }

    [Fact]
    public void Resume_refuses_a_complete_run_and_a_folder_that_is_not_a_run()
    {
        using var dir = new TempDirectory();
        var done = FineTuneJob.Run(Tiny(TinyImageFolder.Create(dir.File("d"), 2, 1)) with { Epochs = 1 }, dir.File("done"));
        Assert.Contains("already complete", Assert.Throws<SharpTune.Configuration.OptionsException>(() => FineTuneJob.Resume(done.Directory.Path)).Message);
        Assert.Contains("not a SharpTune run", Assert.Throws<SharpTune.Configuration.OptionsException>(() => FineTuneJob.Resume(dir.File("d"))).Message);
    }
}
