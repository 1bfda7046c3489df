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
    private readonly IReadOnlyList<ILearningRateController> _groups;
    private readonly double[] _baseLrs;

    /// <summary>Schedules <paramref name="optimizer"/>'s groups from their current (base) learning rates.</summary>
    public LinearWarmupDecay(OptimizerHelper optimizer, int totalSteps, double warmupRatio)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
        if (warmupRatio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(warmupRatio), warmupRatio, "must be in [0, 1)");
        _groups = optimizer.ParamGroups.ToList();
        _baseLrs = _groups.Select(g => g.LearningRate).ToArray();
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
        for (int i = 0; i < _groups.Count; i++) _groups[i].LearningRate = _baseLrs[i] * factor;
    }
}
