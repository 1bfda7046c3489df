using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>Predictions of a model over a batch source, and the figures derived from them.</summary>
/// <param name="MeanLoss">Mean cross-entropy per example.</param>
/// <param name="Labels">True class per example, in source order.</param>
/// <param name="Predictions">Predicted class (arg-max) per example.</param>
public sealed record EvaluationResult(double MeanLoss, IReadOnlyList<int> Labels, IReadOnlyList<int> Predictions)
{
    /// <summary>Fraction of examples predicted correctly.</summary>
    public double Accuracy => Labels.Count == 0 ? 0 : Labels.Zip(Predictions).Count(p => p.First == p.Second) / (double)Labels.Count;

    /// <summary>Unweighted mean of the per-class F1 scores over the classes that occur in the labels or the predictions.</summary>
    public double F1Macro
    {
        get
        {
            var classes = Labels.Concat(Predictions).Distinct().ToList();
            if (classes.Count == 0) return 0;
            return classes.Average(c =>
            {
                int tp = 0, fp = 0, fn = 0;
                for (int i = 0; i < Labels.Count; i++)
                {
                    bool truth = Labels[i] == c, predicted = Predictions[i] == c;
                    if (truth && predicted) tp++;
                    else if (predicted) fp++;
                    else if (truth) fn++;
                }
                return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
            });
        }
    }
}

/// <summary>Runs a classifier over a batch source without gradients.</summary>
public static class Evaluation
{
    /// <summary>
    /// Evaluates <paramref name="model"/> (the caller sets eval mode) on epoch 0 of <paramref name="source"/>. With a
    /// <paramref name="group"/> of several processes, each evaluates its part of every batch and the results are
    /// combined in dataset order, so every process returns the figures of the whole set.
    /// </summary>
    public static EvaluationResult Run(nn.Module<Tensor, Tensor> model, IBatchSource source, Action? afterFirstBatch = null,
        Distributed.ICommunicator? group = null, IObjective? objective = null)
    {
        objective ??= ClassificationObjective.Plain;
        bool distributed = group is { Size: > 1 };
        double lossSum = 0;
        var labels = new List<int>(source.ExampleCount);
        var predictions = new List<int>(source.ExampleCount);
        var indices = new List<int>(distributed ? source.ExampleCount : 0);
        using var noGrad = no_grad();
        bool first = true;
        var device = Trainer.DeviceOf(model);
        foreach (var batch in source.Epoch(0))
        {
            using var host = batch;
            if (host.Count == 0) continue;
            using var scope = NewDisposeScope();
            using var b = Trainer.OnDevice(host, device);
            var logits = model.call(b.Inputs);
            lossSum += objective.EvaluationLossSum(logits, b).item<float>();
            predictions.AddRange(objective.Predictions(logits).Select(v => (int)v));
            labels.AddRange(host.Labels.data<long>().ToArray().Select(v => (int)v));
            if (distributed)
                indices.AddRange(b.SampleIndices ?? throw new InvalidOperationException("a data-parallel evaluation needs batches that carry their sample indices"));
            if (first) afterFirstBatch?.Invoke();
            first = false;
        }
        if (distributed) return Combine(group!, source.ExampleCount, lossSum, labels, predictions, indices);
        return new EvaluationResult(labels.Count == 0 ? 0 : lossSum / labels.Count, labels, predictions);
    }

    /// <summary>Puts every process's results at their samples' positions (class + 1; 0 = not evaluated) and sums them.</summary>
    private static EvaluationResult Combine(Distributed.ICommunicator group, int examples, double lossSum,
        List<int> labels, List<int> predictions, List<int> indices)
    {
        var buffer = new double[2 * examples + 1];
        for (int i = 0; i < indices.Count; i++)
        {
            buffer[indices[i]] = labels[i] + 1;
            buffer[examples + indices[i]] = predictions[i] + 1;
        }
        buffer[^1] = lossSum;
        group.AllReduceSum(buffer);
        var allLabels = new List<int>(examples);
        var allPredictions = new List<int>(examples);
        for (int i = 0; i < examples; i++)
        {
            if (buffer[i] == 0) continue; // a file that failed to decode
            allLabels.Add((int)buffer[i] - 1);
            allPredictions.Add((int)buffer[examples + i] - 1);
        }
        return new EvaluationResult(allLabels.Count == 0 ? 0 : buffer[^1] / allLabels.Count, allLabels, allPredictions);
    }
}
