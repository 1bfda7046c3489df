using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace SharpTune.Training;

/// <summary>
/// Linear warm-up then linear decay of every parameter group's learning rate (BERT's schedule; Sun et al. 2019 warm
/// up over the first 10% of steps). The factor at 0-based global step s of T steps with W warm-up steps is
/// (s + 1) / W during warm-up (s &lt; W), then (T − s) / (T − W): 1 at the first step after warm-up, 1/(T − W) at the
/// last. It depends only on s, so a resumed run continues the same schedule.
/// </summary>
public sealed class LinearWarmupDecay : ITrainerCallback
{
    private readonly OptimizerHelper _optimizer;
    private readonly double[] _baseLrs;

    /// <summary>
    /// Schedules <paramref name="optimizer"/>'s groups from their current learning rates. Only right for a fresh
    /// optimiser: a restored one holds the rates of the step it stopped at (use the overload with base rates).
    /// </summary>
    public LinearWarmupDecay(OptimizerHelper optimizer, int totalSteps, double warmupRatio)
        : this(optimizer, optimizer.ParamGroups.Select(g => g.LearningRate).ToList(), totalSteps, warmupRatio) { }

    /// <summary>
    /// Schedules <paramref name="optimizer"/>'s groups from <paramref name="baseLrs"/> (one per group, the rates of the
    /// recipe): a resumed run, whose optimiser state carries already-decayed rates, continues the same schedule.
    /// </summary>
    public LinearWarmupDecay(OptimizerHelper optimizer, IReadOnlyList<double> baseLrs, int totalSteps, double warmupRatio)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
        if (warmupRatio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(warmupRatio), warmupRatio, "must be in [0, 1)");
        if (baseLrs.Count != optimizer.ParamGroups.Count())
            throw new ArgumentException($"{baseLrs.Count} base rates for {optimizer.ParamGroups.Count()} parameter groups", nameof(baseLrs));
        _optimizer = optimizer;
        _baseLrs = [.. baseLrs];
        TotalSteps = totalSteps;
        WarmupSteps = (int)Math.Ceiling(totalSteps * warmupRatio);
    }

    /// <summary>Steps of the whole run.</summary>
    public int TotalSteps { get; }

    /// <summary>Warm-up steps: ⌈total × ratio⌉.</summary>
    public int WarmupSteps { get; }

    /// <summary>The multiplier of the base learning rates at 0-based global step <paramref name="step"/>.</summary>
    public double Factor(int step)
    {
        if (step < WarmupSteps) return (step + 1) / (double)WarmupSteps;
        return Math.Max(0, TotalSteps - step) / (double)Math.Max(1, TotalSteps - WarmupSteps);
    }

    /// <inheritdoc />
    public void BeforeOptimizerStep(StepProgress progress)
    {
        int step = (progress.Epoch - 1) * progress.StepsPerEpoch + progress.Step - 1;
        double factor = Factor(step);
        int i = 0;
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = _baseLrs[i++] * factor;
    }
}
