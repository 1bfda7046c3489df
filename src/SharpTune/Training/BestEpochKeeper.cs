using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// Tracks the best epoch by test accuracy. With early stopping (<paramref name="patience"/> &gt; 0) it keeps that
/// epoch's weights in <c>checkpoint/best.safetensors</c> and asks the trainer to stop after <paramref name="patience"/>
/// epochs without improvement.
/// </summary>
/// <param name="model">The model being trained.</param>
/// <param name="bestFile">Where the best epoch's weights go (with early stopping).</param>
/// <param name="patience">Epochs without improvement before stopping (0 = never stop early).</param>
/// <param name="history">Metrics of the epochs already trained (a resumed run).</param>
/// <param name="writes">False for the processes of a data-parallel run other than the root: they decide, but write nothing.</param>
public sealed class BestEpochKeeper(nn.Module model, string bestFile, int patience, IEnumerable<EpochMetrics> history, bool writes = true) : ITrainerCallback
{
    private EpochMetrics? _best = history.OrderByDescending(m => m.TestAcc).ThenBy(m => m.Epoch).FirstOrDefault();
    private int _lastEpoch = history.Select(m => m.Epoch).DefaultIfEmpty(0).Max();

    /// <summary>The best epoch so far.</summary>
    public EpochMetrics? Best => _best;

    /// <summary>Where the best weights are.</summary>
    public string BestFile => bestFile;

    /// <inheritdoc />
    public void AfterEpoch(EpochMetrics metrics)
    {
        _lastEpoch = metrics.Epoch;
        if (_best is not null && metrics.TestAcc <= _best.TestAcc) return;
        _best = metrics;
        if (patience > 0 && writes) StateDictFile.WriteSafetensors(bestFile, model.state_dict());
    }

    /// <inheritdoc />
    public bool StopRequested => patience > 0 && _best is not null && _lastEpoch - _best.Epoch >= patience;
}
