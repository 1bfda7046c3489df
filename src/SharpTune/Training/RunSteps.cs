using System.Diagnostics;
using SharpTune.Configuration;
using SharpTune.Reporting;
using SharpTune.Tuning;
using SharpTune.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>What a finished run reports, besides its metrics.</summary>
/// <param name="Model">Zoo model name.</param>
/// <param name="DatasetName">Shown in the curves' title.</param>
/// <param name="Classes">Class names.</param>
/// <param name="TrainExamples">Training examples per epoch.</param>
/// <param name="TestExamples">Test examples.</param>
/// <param name="BadImages">Image files left out.</param>
/// <param name="BadRecords">Text records left out (file:line: reason); null for image runs.</param>
/// <param name="TrainableParams">Parameters the optimiser updated.</param>
/// <param name="FrozenParts">Frozen body parts.</param>
/// <param name="ReusedRows">Head rows reused from another classifier.</param>
/// <param name="Recipe">Recipe name for the summary.</param>
/// <param name="TotalParams">All parameters, adapters included (0 = count the model's).</param>
internal sealed record RunFacts(string Model, string DatasetName, IReadOnlyList<string> Classes, int TrainExamples, int TestExamples,
    IReadOnlyList<string> BadImages, IReadOnlyList<string>? BadRecords, long TrainableParams, IReadOnlyList<string> FrozenParts,
    IReadOnlyList<ReusedRow> ReusedRows, string Recipe = "sun2019", long TotalParams = 0);

/// <summary>
/// The steps every fine-tuning job shares, whatever its data: write the configuration, resume from the latest
/// checkpoint, train with per-epoch metrics and checkpoints, and write the final artefacts (summary.json last).
/// </summary>
internal static class RunSteps
{
    /// <summary>Creates the run directory and, for a new run, writes <c>config.yaml</c>.</summary>
    public static void Start(RunDirectory run, FineTuneOptions options, bool resume)
    {
        Directory.CreateDirectory(run.Path);
        if (!resume)
            YamlConfig.Write(run.ConfigFile, options, $"SharpTune fine-tuning run, {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\nresume with: sharptune finetune --resume {run.Path}");
    }

    /// <summary>Restores the latest checkpoint when resuming; returns the metrics so far and the first epoch to train.</summary>
    public static (List<EpochMetrics> History, int StartEpoch) Restore(RunDirectory run, bool resume, nn.Module model, OptimizerHelper optimizer,
        IReadOnlyList<string> classes, IRunObserver observer)
    {
        if (!resume || Checkpoint.Latest(run.CheckpointFolder) is not { } state) return ([], 1);
        if (!state.Classes.SequenceEqual(classes))
            throw new Data.DataException($"classes [{string.Join(", ", classes)}] differ from the run's [{string.Join(", ", state.Classes)}]; cannot resume {run.Path} on other classes");
        Checkpoint.Restore(run.CheckpointFolder, state, model, optimizer);
        observer.Info($"resumed from the checkpoint of epoch {state.Epoch}");
        return ([.. state.History], state.Epoch + 1);
    }

    /// <summary>Trains epochs <paramref name="startEpoch"/>…<paramref name="epochs"/>, recording each one.</summary>
    public static void Fit(RunDirectory run, nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, Action<bool> setTrainingMode,
        LossReduction lossReduction, IReadOnlyList<ITrainerCallback> stepHooks, IRunObserver observer, IBatchSource train, IBatchSource test,
        int startEpoch, int epochs, List<EpochMetrics> history, IReadOnlyList<string> classes, CancellationToken cancel)
    {
        var recorder = new RunRecorder(run, model, optimizer, history, classes);
        var trainer = new Trainer(model, optimizer, setTrainingMode, lossReduction, [.. stepHooks, observer, recorder]);
        trainer.Fit(train, test, startEpoch, epochs, cancel);
    }

    /// <summary>
    /// Writes <c>model.safetensors</c>, <c>model.json</c> (<paramref name="modelInfo"/>), <c>curves.png</c> and,
    /// last, <c>summary.json</c>.
    /// </summary>
    public static RunSummary Finish<TInfo>(RunDirectory run, nn.Module model, TInfo modelInfo, FineTuneOptions options, RunFacts facts,
        List<EpochMetrics> history, Stopwatch wall)
    {
        FiniteCheck.EnsureFinite(model, history[^1].Epoch);
        StateDictFile.WriteSafetensors(run.WeightsFile, model.state_dict());
        RunJson.Write(run.ModelInfoFile, modelInfo);
        var mode = options.Init == InitMode.Pretrained ? "finetune" : "scratch";
        Curves.Save(run.CurvesFile, $"{mode}: {facts.Model} on {facts.DatasetName}", Curves.ForRun(history));
        double trainSeconds = history.Sum(m => m.EpochSeconds);
        var summary = new RunSummary(mode, history.Count, history[^1], history.Max(m => m.TestAcc), facts.Classes, facts.BadImages,
            ProcessMemory.PeakRssBytes(), trainSeconds > 0 ? history.Sum(m => m.DataWaitSeconds) / trainSeconds : 0,
            facts.Model, facts.TrainExamples, facts.TestExamples, wall.Elapsed.TotalSeconds,
            facts.TrainableParams, facts.TotalParams > 0 ? facts.TotalParams : model.parameters().Sum(p => p.numel()), facts.FrozenParts, facts.ReusedRows,
            facts.Recipe, history.OrderByDescending(m => m.TestAcc).ThenBy(m => m.Epoch).First().Epoch, StoppedEarly: false)
        {
            BadRecords = facts.BadRecords,
        };
        RunJson.Write(run.SummaryFile, summary);
        return summary;
    }
}
