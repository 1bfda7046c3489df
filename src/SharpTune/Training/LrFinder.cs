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
/// Leslie Smith's LR range test as fastai's <c>lr_find</c>: a callback on the ordinary <see cref="Trainer"/> that,
/// for up to <c>steps</c> optimiser steps, grows the learning rate exponentially from <c>start</c> to <c>end</c>,
/// records the loss and stops the trainer once it explodes (4× the best) or turns non-finite. The model it trains is
/// changed: pass a throw-away copy.
/// </summary>
public static class LrFinder
{
    /// <summary>
    /// Runs the sweep with the trainer's own loop and objective; each group's rate keeps its ratio to the fastest
    /// group's. One optimiser step per batch (no accumulation), no evaluation.
    /// </summary>
    public static LrFinderResult Run(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, IReadOnlyList<double> baseRates,
        Action<bool> setTrainingMode, TrainerSettings settings, IBatchSource train,
        double start = 1e-7, double end = 10, int steps = 100, CancellationToken cancel = default)
    {
        var sweep = new Sweep(optimizer, baseRates, start, end, steps);
        var trainer = new Trainer(model, optimizer, setTrainingMode, settings with { AccumulateBatches = 1 }, [sweep]);
        try
        {
            trainer.Fit(train, test: null, 1, int.MaxValue, cancel);
        }
        catch (NonFiniteLossException)
        {
            // The loss exploded: the sweep is over (the step that blew up is not recorded).
        }
        var (lrs, losses, smoothed) = (sweep.LearningRates, sweep.Losses, sweep.Smoothed);
        if (lrs.Count < 5) throw new InvalidOperationException($"the LR sweep stopped after {lrs.Count} steps; too few to suggest a learning rate");
        return new LrFinderResult(lrs, losses, smoothed, Valley(lrs, smoothed), Steepest(lrs, smoothed), lrs[smoothed.IndexOf(smoothed.Min())]);
    }

    /// <summary>Sets each step's learning rate before the optimiser step and records the loss after it.</summary>
    private sealed class Sweep(OptimizerHelper optimizer, IReadOnlyList<double> baseRates, double start, double end, int steps) : ITrainerCallback
    {
        private readonly double _top = baseRates.Max();
        private double _avg, _best = double.PositiveInfinity, _lr;
        private bool _done;

        public List<double> LearningRates { get; } = [];
        public List<double> Losses { get; } = [];
        public List<double> Smoothed { get; } = [];

        public bool StopStepping => _done;

        public void BeforeOptimizerStep(StepProgress progress)
        {
            _lr = start * Math.Pow(end / start, LearningRates.Count / (double)Math.Max(1, steps - 1));
            int g = 0;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = _lr * baseRates[g++] / _top;
        }

        public void AfterStep(StepProgress progress)
        {
            int step = LearningRates.Count;
            _avg = 0.98 * _avg + 0.02 * progress.Loss;
            double s = _avg / (1 - Math.Pow(0.98, step + 1));
            LearningRates.Add(_lr);
            Losses.Add(progress.Loss);
            Smoothed.Add(s);
            _best = Math.Min(_best, s);
            _done = LearningRates.Count >= steps || (LearningRates.Count > 10 && s > 4 * _best);
        }
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
