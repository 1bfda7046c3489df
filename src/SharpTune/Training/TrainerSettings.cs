namespace SharpTune.Training;

/// <summary>How the trainer computes the loss and steps the optimiser.</summary>
/// <param name="LossReduction">How per-example losses are combined before backward.</param>
/// <param name="Objective">The task's loss and metrics (null = plain cross-entropy classification).</param>
/// <param name="AccumulateBatches">Batches whose gradients are summed before one optimiser step.</param>
/// <param name="Communicator">
/// Data parallelism: the processes that share every batch (each feeds its part; losses, gradients and metrics are
/// combined so the result is that of the whole batch); null = this process alone.
/// </param>
/// <param name="MinTrainBatch">
/// Smallest training batch trained on in one process; smaller ones (shrunk by files that failed to decode) are left
/// out. 2 for models whose BatchNorm trains: one example gives it one value per channel at 1×1 maps (NaN statistics).
/// </param>
public sealed record TrainerSettings(
    LossReduction LossReduction = LossReduction.Sum,
    IObjective? Objective = null,
    int AccumulateBatches = 1,
    Distributed.ICommunicator? Communicator = null,
    int MinTrainBatch = 1)
{
    /// <summary>The objective in force (<see cref="ClassificationObjective.Plain"/> when none was given).</summary>
    public IObjective Task => Objective ?? ClassificationObjective.Plain;

    /// <summary>Optimiser steps in an epoch of <paramref name="batches"/> batches.</summary>
    public int StepsPerEpoch(int batches) => (batches + AccumulateBatches - 1) / AccumulateBatches;
}

/// <summary>Class weights for imbalanced data.</summary>
public static class ClassWeighting
{
    /// <summary>
    /// scikit-learn's "balanced" weights: w_c = N / (C · n_c), so every class contributes equally to the loss.
    /// A class without examples gets weight 0.
    /// </summary>
    public static float[] Balanced(IReadOnlyList<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (var l in labels) counts[l]++;
        return counts.Select(n => n == 0 ? 0f : labels.Count / (float)(classes * n)).ToArray();
    }
}
