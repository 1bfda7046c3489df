using System.Diagnostics;
using SharpTune.Distributed;
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
/// <param name="settings">Loss and stepping settings.</param>
/// <param name="callbacks">Event hooks, called in order.</param>
public sealed class Trainer(
    nn.Module<Tensor, Tensor> model,
    optim.Optimizer optimizer,
    Action<bool> setTrainingMode,
    TrainerSettings settings,
    IReadOnlyList<ITrainerCallback> callbacks)
{
    /// <summary>Creates a trainer with default settings apart from the loss reduction.</summary>
    public Trainer(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Action<bool> setTrainingMode,
        LossReduction lossReduction, IReadOnlyList<ITrainerCallback> callbacks)
        : this(model, optimizer, setTrainingMode, new TrainerSettings(lossReduction), callbacks) { }

    /// <summary>
    /// Trains epochs <paramref name="startEpoch"/>…<paramref name="epochs"/> (1-based, inclusive) and returns their
    /// metrics. Throws <see cref="NonFiniteLossException"/> at the first non-finite loss, before the optimiser step.
    /// Stops early when a callback requests it.
    /// </summary>
    /// <param name="train">Training batches.</param>
    /// <param name="test">Evaluation batches; null = no evaluation and no epoch metrics (e.g. an LR range test).</param>
    /// <param name="startEpoch">First epoch to train (1-based).</param>
    /// <param name="epochs">Last epoch to train (inclusive).</param>
    /// <param name="cancel">Stops after the current step.</param>
    public IReadOnlyList<EpochMetrics> Fit(IBatchSource train, IBatchSource? test, int startEpoch, int epochs, CancellationToken cancel = default)
    {
        var results = new List<EpochMetrics>();
        foreach (var c in callbacks) c.BeforeFit(startEpoch, epochs);
        for (int epoch = startEpoch; epoch <= epochs; epoch++)
        {
            foreach (var c in callbacks) c.BeforeEpoch(epoch);
            var (trainLoss, trainAcc, seen, seconds, wait) = TrainEpoch(train, epoch, cancel);
            if (test is null)
            {
                if (callbacks.Any(c => c.StopRequested || c.StopStepping)) break;
                continue;
            }

            foreach (var c in callbacks) c.BeforeEvaluate(epoch);
            setTrainingMode(false);
            var eval = Evaluation.Run(model, test, afterFirstBatch: () => FaultInjection.Hit($"evaluate:{epoch}"), settings.Communicator, settings.Task);
            // Weights can go bad while every training loss stays finite (BatchNorm statistics are not in the loss).
            if (!double.IsFinite(eval.MeanLoss)) throw new NonFiniteLossException(epoch, $"evaluation loss became {eval.MeanLoss}");
            var metrics = new EpochMetrics(epoch, trainLoss, trainAcc, eval.MeanLoss, eval.Accuracy,
                seen / Math.Max(seconds, 1e-9), seconds, wait, eval.F1Macro);
            results.Add(metrics);
            foreach (var c in callbacks) c.AfterEpoch(metrics);
            if (callbacks.Any(c => c.StopRequested)) break;
        }
        return results;
    }

    private (double Loss, double Acc, long Seen, double Seconds, double Wait) TrainEpoch(IBatchSource train, int epoch, CancellationToken cancel)
    {
        setTrainingMode(true);
        double lossSum = 0;
        long correct = 0, seen = 0;
        int step = 0, accumulated = 0, optimizerStep = 0;
        int batches = train.BatchesPerEpoch;
        var reduction = settings.LossReduction == LossReduction.Sum ? nn.Reduction.Sum : nn.Reduction.Mean;
        var group = settings.Communicator is { Size: > 1 } g ? g : null;
        var gradientSync = group is null ? null : new GradientSync(group);
        var trainable = group is null ? [] : model.parameters().Where(p => p.requires_grad).ToList();
        var clock = Stopwatch.StartNew();
        optimizer.zero_grad();
        var device = DeviceOf(model);
        foreach (var batch in train.Epoch(epoch - 1))
        {
            cancel.ThrowIfCancellationRequested();
            using var host = batch;
            using var scope = NewDisposeScope();
            // Batches are built on the CPU; they follow the model to its device (no copy on the CPU).
            using var b = OnDevice(host, device);
            step++;
            if (group is null && b.Count < settings.MinTrainBatch)
            {
                // Too small to train on (a batch shrunk by files that failed to decode): left out, but a pending
                // accumulation window still steps.
                if (step == batches && accumulated > 0) Step(epoch, ++optimizerStep, batches, double.NaN, 0, gradientSync, trainable);
                continue;
            }
            var logits = model.call(b.Inputs);
            var (loss, batchLossSum, batchCorrect, batchCount) = group is null
                ? LocalLoss(logits, b, reduction)
                : GlobalLoss(logits, b, reduction, group);
            double perExample = batchLossSum / Math.Max(batchCount, 1);
            if (!double.IsFinite(perExample)) throw new NonFiniteLossException(epoch, step, perExample);

            // With a mean loss, accumulated gradients are averaged over the window; with a summed loss, summed.
            var scaled = settings.AccumulateBatches > 1 && reduction == nn.Reduction.Mean ? loss / settings.AccumulateBatches : loss;
            scaled.backward();
            if (++accumulated == settings.AccumulateBatches || step == batches)
            {
                Step(epoch, ++optimizerStep, batches, perExample, batchCount, gradientSync, trainable);
                accumulated = 0;
            }

            lossSum += batchLossSum;
            correct += batchCorrect;
            seen += batchCount;
            var progress = new StepProgress(epoch, step, batches, perExample, batchCount);
            foreach (var c in callbacks) c.AfterStep(progress);
            FaultInjection.Hit($"step:{epoch}:{step}");
            if (callbacks.Any(c => c.StopStepping)) break;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        // An epoch that trained on nothing has no loss or accuracy to report (0 would read as a perfect loss).
        if (seen == 0) throw new Data.DataException($"epoch {epoch} trained on no example: every training batch was empty or failed to load");
        return (lossSum / seen, correct / (double)seen, seen, seconds, train.LastEpochWaitTime.TotalSeconds);
    }

    /// <summary>The device of <paramref name="model"/>'s parameters (the CPU for a model without any).</summary>
    public static Device DeviceOf(nn.Module model) => model.parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>
    /// <paramref name="batch"/> on <paramref name="device"/>: itself on the CPU, else a copy the caller disposes
    /// (disposing the returned batch never disposes <paramref name="batch"/> when they differ).
    /// </summary>
    public static Batch OnDevice(Batch batch, Device device) =>
        device.type == DeviceType.CPU ? new Batch(batch.Inputs.alias(), batch.Labels.alias(), batch.SampleIndices)
            : new Batch(batch.Inputs.to(device), batch.Labels.to(device), batch.SampleIndices);

    private void Step(int epoch, int optimizerStep, int batches, double perExample, int batchCount, GradientSync? gradientSync, IReadOnlyList<TorchSharp.Modules.Parameter> trainable)
    {
        gradientSync?.AllReduce(trainable);
        var stepProgress = new StepProgress(epoch, optimizerStep, settings.StepsPerEpoch(batches), perExample, batchCount);
        foreach (var c in callbacks) c.BeforeOptimizerStep(stepProgress);
        optimizer.step();
        optimizer.zero_grad();
    }

    /// <summary>The loss to differentiate, and the batch's summed loss, correct predictions and size.</summary>
    private (Tensor Loss, double LossSum, long Correct, int Count) LocalLoss(Tensor outputs, Batch b, nn.Reduction reduction)
    {
        var loss = settings.Task.Loss(outputs, b, reduction);
        double value = loss.item<float>();
        return (loss, reduction == nn.Reduction.Sum ? value : value * b.Count, settings.Task.Correct(outputs, b), b.Count);
    }

    /// <summary>
    /// Data parallelism: this process holds part of the global batch. One small all-reduce makes the batch's loss,
    /// correct count and size global (so every process sees the same non-finite loss and logs the same figures); a
    /// mean loss is divided by the global denominator, so the gradients' sum over processes is the whole batch's.
    /// </summary>
    private (Tensor Loss, double LossSum, long Correct, int Count) GlobalLoss(Tensor outputs, Batch b, nn.Reduction reduction, ICommunicator group)
    {
        var sum = settings.Task.Loss(outputs, b, nn.Reduction.Sum);
        // A weighted mean divides by the examples' summed weights, as PyTorch's cross_entropy does.
        double[] totals = [sum.item<float>(), settings.Task.Correct(outputs, b), b.Count, settings.Task.MeanDenominator(b)];
        group.AllReduceSum(totals);
        var loss = reduction == nn.Reduction.Sum ? sum : sum / totals[3];
        double lossSum = reduction == nn.Reduction.Sum ? totals[0] : totals[0] / totals[3] * totals[2];
        return (loss, lossSum, (long)totals[1], (int)totals[2]);
    }
}
