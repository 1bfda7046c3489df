using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>The sweep of an LR range test and its suggestions.</summary>
/// <param name="LearningRates">Learning rate (of the fastest group) at each step.</param>
/// <param name="Losses">Raw training loss (mean per example) at each step.</param>
/// <param name="Smoothed">Exponentially smoothed, bias-corrected loss (β 0.98).</param>
/// <param name="Valley">fastai's "valley" suggestion: a third of the way down the longest stretch of falling loss.</param>
/// <param name="Steepest">Where the smoothed loss falls fastest against log(lr).</param>
/// <param name="Minimum">The learning rate at the smallest smoothed loss.</param>
public sealed record LrFinderResult(
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<double> Losses,
    IReadOnlyList<double> Smoothed,
    double Valley,
    double Steepest,
    double Minimum);

/// <summary>
/// Leslie Smith's LR range test as fastai's <c>lr_find</c>: train for up to <c>steps</c> batches while the learning
/// rate grows exponentially from <c>start</c> to <c>end</c>, record the loss, stop once it explodes (4× the best).
/// The model it is given is changed: pass a throw-away copy.
/// </summary>
public static class LrFinder
{
    /// <summary>Runs the sweep; each group's rate keeps its ratio to the fastest group's.</summary>
    public static LrFinderResult Run(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, IReadOnlyList<double> baseRates,
        Action<bool> setTrainingMode, TrainerSettings settings, IBatchSource train,
        double start = 1e-7, double end = 10, int steps = 100, CancellationToken cancel = default)
    {
        double top = baseRates.Max();
        var lrs = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        double avg = 0, best = double.PositiveInfinity;
        var reduction = settings.LossReduction == LossReduction.Sum ? nn.Reduction.Sum : nn.Reduction.Mean;
        setTrainingMode(true);
        int step = 0;
        for (int epoch = 0; step < steps; epoch++)
        {
            bool any = false;
            foreach (var batch in train.Epoch(epoch))
            {
                cancel.ThrowIfCancellationRequested();
                using var b = batch;
                using var scope = NewDisposeScope();
                any = true;
                double lr = start * Math.Pow(end / start, step / (double)Math.Max(1, steps - 1));
                int g = 0;
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr * baseRates[g++] / top;

                optimizer.zero_grad();
                var logits = model.call(b.Inputs);
                var loss = nn.functional.cross_entropy(logits, b.Labels, settings.ClassWeights, reduction: reduction, label_smoothing: settings.LabelSmoothing);
                double value = loss.item<float>();
                double perExample = reduction == nn.Reduction.Sum ? value / b.Count : value;
                if (!double.IsFinite(perExample)) { step = steps; break; }
                loss.backward();
                optimizer.step();

                avg = 0.98 * avg + 0.02 * perExample;
                double s = avg / (1 - Math.Pow(0.98, step + 1));
                lrs.Add(lr);
                losses.Add(perExample);
                smoothed.Add(s);
                best = Math.Min(best, s);
                step++;
                if (step >= steps || (step > 10 && s > 4 * best)) { step = steps; break; }
            }
            if (!any) break;
        }
        if (lrs.Count < 5) throw new InvalidOperationException($"the LR sweep stopped after {lrs.Count} steps; too few to suggest a learning rate");
        return new LrFinderResult(lrs, losses, smoothed, Valley(lrs, smoothed), Steepest(lrs, smoothed), lrs[smoothed.IndexOf(smoothed.Min())]);
    }

    /// <summary>fastai's valley: the longest decreasing subsequence of the loss; suggest a point ~45% along it.</summary>
    public static double Valley(IReadOnlyList<double> lrs, IReadOnlyList<double> losses)
    {
        int n = losses.Count;
        var lds = Enumerable.Repeat(1, n).ToArray();
        int maxStart = 0, maxEnd = 0;
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
            if (lds[maxEnd] < lds[i])
            {
                maxEnd = i;
                maxStart = maxEnd - lds[maxEnd];
            }
        }
        double sections = (maxEnd - maxStart) / 3.0;
        int idx = Math.Clamp(maxStart + (int)sections + (int)(sections / 2), 0, n - 1);
        return lrs[idx];
    }

    /// <summary>
    /// The learning rate where the loss falls fastest per unit of log(lr) (central differences), looked for only up to
    /// the lowest loss: after the blow-up a smoothed loss can fall again without meaning anything.
    /// </summary>
    public static double Steepest(IReadOnlyList<double> lrs, IReadOnlyList<double> losses)
    {
        int best = 0;
        double steepest = double.PositiveInfinity;
        int end = Math.Min(losses.Count - 1, Enumerable.Range(0, losses.Count).MinBy(i => losses[i]) + 1);
        for (int i = 1; i < end; i++)
        {
            double slope = (losses[i + 1] - losses[i - 1]) / (Math.Log(lrs[i + 1]) - Math.Log(lrs[i - 1]));
            if (slope < steepest) { steepest = slope; best = i; }
        }
        return lrs[best];
    }
}
