using TorchSharp.Modules;
using static TorchSharp.torch.optim;

namespace SharpTune.Training.Schedules;

/// <summary>
/// Applies an <see cref="LrSchedule"/> before every optimiser step: each group's learning rate becomes its base rate
/// times the schedule's factor, and SGD momentum / Adam β1 follow the schedule where it cycles them. The global
/// step is derived from the epoch and the step within it, so the schedule resumes exactly at epoch boundaries.
/// </summary>
/// <param name="optimizer">The optimiser whose groups are scheduled.</param>
/// <param name="baseRates">Base learning rate of each group, in group order.</param>
/// <param name="schedule">The schedule.</param>
/// <param name="firstEpoch">First epoch (1-based) of the phase the schedule covers.</param>
/// <param name="stepsPerEpoch">Optimiser steps per epoch.</param>
/// <param name="totalSteps">Optimiser steps of the whole phase.</param>
public sealed class LrScheduler(OptimizerHelper optimizer, IReadOnlyList<double> baseRates, LrSchedule schedule,
    int firstEpoch, int stepsPerEpoch, long totalSteps) : ITrainerCallback
{
    // Momentum is cycled only where the optimiser uses it: an SGD run configured without momentum stays without.
    private readonly bool[] _cycles = optimizer.ParamGroups.Select(g => g is IBetas || g is IMomentum { Momentum: > 0 }).ToArray();

    /// <summary>Learning rate of the first group at the last step applied (for logs and tests).</summary>
    public double CurrentLearningRate { get; private set; }

    /// <inheritdoc />
    public void BeforeOptimizerStep(StepProgress progress)
    {
        long global = (long)(progress.Epoch - firstEpoch) * stepsPerEpoch + (progress.Step - 1);
        double factor = schedule.Factor(global, totalSteps);
        double? momentum = schedule.Momentum(global, totalSteps);
        var groups = optimizer.ParamGroups.ToList();
        for (int i = 0; i < groups.Count; i++)
        {
            groups[i].LearningRate = baseRates[i] * factor;
            if (momentum is not double m || !_cycles[i]) continue;
            if (groups[i] is IMomentum sgd) sgd.Momentum = m;
            else if (groups[i] is IBetas adam) adam.Betas = (m, adam.Betas.Item2);
        }
        CurrentLearningRate = baseRates[0] * factor;
    }
}
