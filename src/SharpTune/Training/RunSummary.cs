using SharpTune.Tuning;

namespace SharpTune.Training;

/// <summary><c>summary.json</c>: the outcome of a finished run. Its presence marks a run directory as complete.</summary>
/// <param name="Mode"><c>finetune</c> or <c>scratch</c>.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Final">Metrics of the last epoch (test accuracy, loss and macro F1 included).</param>
/// <param name="BestTestAcc">Best test accuracy over the epochs.</param>
/// <param name="Classes">Class names, in output order.</param>
/// <param name="BadImages">Paths of files left out as unreadable.</param>
/// <param name="PeakRssBytes">Peak resident memory of the process.</param>
/// <param name="DataWaitFraction">Share of training time spent waiting for batches.</param>
/// <param name="Model">Zoo model name.</param>
/// <param name="TrainExamples">Training examples per epoch.</param>
/// <param name="TestExamples">Test examples.</param>
/// <param name="WallSeconds">Wall time of the whole run, setup included.</param>
/// <param name="TrainableParams">Parameters the optimiser updated.</param>
/// <param name="TotalParams">All parameters of the model.</param>
/// <param name="FrozenParts">Body parts that were frozen.</param>
/// <param name="ReusedHeadRows">Head rows initialised from another classifier.</param>
/// <param name="Recipe">Recipe used (<c>d2l</c>, <c>fastai</c>).</param>
/// <param name="BestEpoch">Epoch with the best test accuracy.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before its last epoch (model.safetensors then holds the best epoch).</param>
public sealed record RunSummary(
    string Mode,
    int Epochs,
    EpochMetrics Final,
    double BestTestAcc,
    IReadOnlyList<string> Classes,
    IReadOnlyList<string> BadImages,
    long PeakRssBytes,
    double DataWaitFraction,
    string Model,
    int TrainExamples,
    int TestExamples,
    double WallSeconds,
    long TrainableParams,
    long TotalParams,
    IReadOnlyList<string> FrozenParts,
    IReadOnlyList<ReusedRow> ReusedHeadRows,
    string Recipe,
    int BestEpoch,
    bool StoppedEarly)
{
    /// <summary>Text runs: records (file:line: reason) left out as unusable; null for image runs.</summary>
    public IReadOnlyList<string>? BadRecords { get; init; }

    /// <summary>Symbolic links in the dataset that were not followed (each "path -> target: reason"), so that no class or split leaks into another.</summary>
    public IReadOnlyList<string> SkippedLinks { get; init; } = [];

    /// <summary>Processes the run was spread over (data parallelism, <c>--distributed mpi</c>); 1 for a single process.</summary>
    public int Processes { get; init; } = 1;
}
