using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>Writes <c>metrics.jsonl</c> and a checkpoint after every epoch of a run.</summary>
/// <param name="run">The run directory.</param>
/// <param name="model">The model being trained.</param>
/// <param name="optimizer">Its optimiser (its state goes into the checkpoint).</param>
/// <param name="history">Metrics so far (restored ones first); each epoch is appended.</param>
/// <param name="classes">Class names, stored with the checkpoint (a resume on other classes is refused).</param>
/// <param name="writes">False for the processes of a data-parallel run other than the root: they only keep the history.</param>
public sealed class RunRecorder(RunDirectory run, nn.Module model, OptimizerHelper optimizer, List<EpochMetrics> history,
    IReadOnlyList<string> classes, bool writes = true) : ITrainerCallback
{
    /// <inheritdoc />
    public void AfterEpoch(EpochMetrics metrics)
    {
        history.Add(metrics);
        if (!writes) return;
        FiniteCheck.EnsureFinite(model, metrics.Epoch); // a checkpoint is only ever a usable model
        Checkpoint.Save(run.CheckpointFolder, metrics.Epoch, model, optimizer, history, classes);
        run.WriteMetrics(history);
    }
}
