using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// The epoch loop: train on one source, evaluate on another, report through callbacks. It knows nothing about images,
/// text, checkpoints or files; those are callbacks and batch sources.
/// </summary>
/// <param name="model">The classifier (logits out).</param>
/// <param name="optimizer">Optimiser over the trainable parameters.</param>
/// <param name="setTrainingMode">Switches the model between training and evaluation (lets frozen parts stay in eval mode).</param>
/// <param name="lossReduction">How per-example losses are combined before backward.</param>
/// <param name="callbacks">Event hooks, called in order.</param>
public sealed class Trainer(
    nn.Module<Tensor, Tensor> model,
    optim.Optimizer optimizer,
    Action<bool> setTrainingMode,
    LossReduction lossReduction,
    IReadOnlyList<ITrainerCallback> callbacks)
{
    /// <summary>
    /// Trains epochs <paramref name="startEpoch"/>…<paramref name="epochs"/> (1-based, inclusive) and returns their
    /// metrics. Throws <see cref="NonFiniteLossException"/> at the first non-finite loss, before the optimiser step.
    /// </summary>
    public IReadOnlyList<EpochMetrics> Fit(IBatchSource train, IBatchSource test, int startEpoch, int epochs, CancellationToken cancel = default)
    {
        var results = new List<EpochMetrics>();
        foreach (var c in callbacks) c.BeforeFit(startEpoch, epochs);
        for (int epoch = startEpoch; epoch <= epochs; epoch++)
        {
            foreach (var c in callbacks) c.BeforeEpoch(epoch);
            var (trainLoss, trainAcc, seen, seconds, wait) = TrainEpoch(train, epoch, cancel);

            foreach (var c in callbacks) c.BeforeEvaluate(epoch);
            setTrainingMode(false);
            var eval = Evaluation.Run(model, test);
            var metrics = new EpochMetrics(epoch, trainLoss, trainAcc, eval.MeanLoss, eval.Accuracy,
                seen / Math.Max(seconds, 1e-9), seconds, wait, eval.F1Macro);
            results.Add(metrics);
            foreach (var c in callbacks) c.AfterEpoch(metrics);
        }
        return results;
    }

    private (double Loss, double Acc, long Seen, double Seconds, double Wait) TrainEpoch(IBatchSource train, int epoch, CancellationToken cancel)
    {
        setTrainingMode(true);
        double lossSum = 0;
        long correct = 0, seen = 0;
        int step = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in train.Epoch(epoch - 1))
        {
            cancel.ThrowIfCancellationRequested();
            using var b = batch;
            using var scope = NewDisposeScope();
            step++;
            var logits = model.call(b.Inputs);
            var reduction = lossReduction == LossReduction.Sum ? nn.Reduction.Sum : nn.Reduction.Mean;
            var loss = nn.functional.cross_entropy(logits, b.Labels, reduction: reduction);
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new NonFiniteLossException(epoch, step, value);

            double batchLossSum = lossReduction == LossReduction.Sum ? value : value * b.Count;
            var progress = new StepProgress(epoch, step, train.BatchesPerEpoch, batchLossSum / b.Count, b.Count);

            optimizer.zero_grad();
            loss.backward();
            foreach (var c in callbacks) c.BeforeOptimizerStep(progress);
            optimizer.step();

            lossSum += batchLossSum;
            correct += logits.argmax(1).eq(b.Labels).sum().item<long>();
            seen += b.Count;
            foreach (var c in callbacks) c.AfterStep(progress);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return (seen == 0 ? 0 : lossSum / seen, seen == 0 ? 0 : correct / (double)seen, seen, seconds, train.LastEpochWaitTime.TotalSeconds);
    }
}
