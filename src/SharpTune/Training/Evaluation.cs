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
    /// <summary>Evaluates <paramref name="model"/> (the caller sets eval mode) on epoch 0 of <paramref name="source"/>.</summary>
    public static EvaluationResult Run(nn.Module<Tensor, Tensor> model, IBatchSource source, Action? afterFirstBatch = null)
    {
        double lossSum = 0;
        var labels = new List<int>(source.ExampleCount);
        var predictions = new List<int>(source.ExampleCount);
        using var noGrad = no_grad();
        foreach (var batch in source.Epoch(0))
        {
            using var b = batch;
            using var scope = NewDisposeScope();
            var logits = model.call(b.Inputs);
            lossSum += nn.functional.cross_entropy(logits, b.Labels, reduction: nn.Reduction.Sum).item<float>();
            predictions.AddRange(logits.argmax(1).data<long>().ToArray().Select(v => (int)v));
            labels.AddRange(b.Labels.data<long>().ToArray().Select(v => (int)v));
            if (labels.Count == b.Count) afterFirstBatch?.Invoke();
        }
        return new EvaluationResult(labels.Count == 0 ? 0 : lossSum / labels.Count, labels, predictions);
    }
}
