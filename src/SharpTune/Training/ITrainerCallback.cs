namespace SharpTune.Training;

/// <summary>Progress of one training step, given to callbacks.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">1-based batch within the epoch.</param>
/// <param name="StepsPerEpoch">Batches in the epoch.</param>
/// <param name="Loss">Mean loss per example of this batch.</param>
/// <param name="Examples">Examples in this batch.</param>
public readonly record struct StepProgress(int Epoch, int Step, int StepsPerEpoch, double Loss, int Examples);

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/> (fastai-style events, typed). Every method has a no-op default; override what
/// you need. Callbacks run on the training thread, in list order.
/// </summary>
public interface ITrainerCallback
{
    /// <summary>Before the first epoch that will run (<paramref name="startEpoch"/> is 1-based).</summary>
    void BeforeFit(int startEpoch, int epochs) { }

    /// <summary>Before an epoch's training phase.</summary>
    void BeforeEpoch(int epoch) { }

    /// <summary>
    /// After backward, before the optimiser step: gradients are there to clip, learning rates can still change
    /// (see <see cref="GradientClipping"/>, <see cref="Schedules.LrScheduler"/>).
    /// Here <see cref="StepProgress.Step"/> and <see cref="StepProgress.StepsPerEpoch"/> count optimiser steps
    /// (with gradient accumulation, fewer than batches).
    /// </summary>
    void BeforeOptimizerStep(StepProgress progress) { }

    /// <summary>After each batch.</summary>
    void AfterStep(StepProgress progress) { }

    /// <summary>Before evaluation on the test split.</summary>
    void BeforeEvaluate(int epoch) { }

    /// <summary>After an epoch, with its metrics.</summary>
    void AfterEpoch(EpochMetrics metrics) { }

    /// <summary>Checked after every epoch: true ends training early (e.g. early stopping).</summary>
    bool StopRequested => false;

    /// <summary>Checked after every step: true ends training at once, mid-epoch (e.g. an LR range test that is done).</summary>
    bool StopStepping => false;
}
