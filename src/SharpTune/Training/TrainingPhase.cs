using SharpTune.Models;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;
using Parameter = TorchSharp.Modules.Parameter;

namespace SharpTune.Training;

/// <summary>
/// A stretch of epochs trained with one freeze target, one set of parameter groups, one optimiser and one schedule.
/// The d2l and Sun et al. recipes are one phase; fastai's is two (head only, then everything).
/// </summary>
/// <param name="Name">Phase name for logs.</param>
/// <param name="FirstEpoch">First epoch (1-based).</param>
/// <param name="LastEpoch">Last epoch (inclusive).</param>
/// <param name="Freeze">Freeze target during the phase (one of the model's <see cref="Models.IModelContract.FreezeTargets"/>).</param>
/// <param name="TrainBatchNorm">Keep BatchNorm of frozen parts training.</param>
/// <param name="Groups">Parameter groups from the trainable parameters.</param>
/// <param name="Schedule">Learning-rate schedule over the phase's optimiser steps.</param>
public sealed record TrainingPhase(
    string Name,
    int FirstEpoch,
    int LastEpoch,
    string Freeze,
    bool TrainBatchNorm,
    Func<IEnumerable<(string Name, Parameter Parameter)>, IReadOnlyList<ParameterGroup>> Groups,
    LrSchedule Schedule)
{
    /// <summary>Epochs in the phase.</summary>
    public int Epochs => LastEpoch - FirstEpoch + 1;
}

/// <summary>Turns options into the phases of a run, for any model through its contract.</summary>
public static class TrainingPlan
{
    /// <summary>Total epochs of a run: the fastai recipe adds its frozen epochs.</summary>
    public static int TotalEpochs(FineTuneOptions o) => o.Recipe == RecipeKind.Fastai ? o.FreezeEpochs + o.Epochs : o.Epochs;

    /// <summary>The phases for <paramref name="o"/> on <paramref name="model"/>; <paramref name="stepsPerEpoch"/> is in optimiser steps.</summary>
    public static IReadOnlyList<TrainingPhase> Build(FineTuneOptions o, IModelContract model, int stepsPerEpoch)
    {
        if (o.Recipe == RecipeKind.Fastai)
        {
            // fastai fine_tune: fit_one_cycle(freeze_epochs, slice(lr), pct_start=0.99); lr /= 2; unfreeze;
            // fit_one_cycle(epochs, slice(lr/100, lr), pct_start=0.3, div=5).
            double high = o.LrLow is null ? o.Lr / 2 : o.Lr;
            double low = o.LrLow ?? high / 100;
            var phases = new List<TrainingPhase>();
            if (o.FreezeEpochs > 0)
                phases.Add(new("head (body frozen)", 1, o.FreezeEpochs, "backbone", o.TrainBn,
                    p => ParameterGroups.Build(model, p, GroupingKind.One, o.Lr, 1, o.WeightDecay), new OneCycleSchedule(PctStart: 0.99)));
            phases.Add(new("all layers", o.FreezeEpochs + 1, o.FreezeEpochs + o.Epochs, "none", o.TrainBn,
                p => ParameterGroups.Build(model, p, GroupingKind.Discriminative, high, 1, o.WeightDecay, lowLr: low), new OneCycleSchedule(PctStart: 0.3, Div: 5)));
            return phases;
        }

        var kind = !o.ParamGroups ? GroupingKind.One
            : o.LrLow is not null ? GroupingKind.Discriminative
            : o.LayerDecay is not null ? GroupingKind.LayerDecay
            : GroupingKind.BodyAndHead;
        LrSchedule schedule = o.Schedule switch
        {
            ScheduleKind.Step => new StepSchedule((long)o.StepEpochs * stepsPerEpoch, o.StepGamma),
            ScheduleKind.Cosine => new CosineSchedule((long)Math.Round(o.WarmupEpochs * stepsPerEpoch)),
            ScheduleKind.OneCycle => new OneCycleSchedule(),
            ScheduleKind.Linear => new LinearWarmupDecaySchedule(o.WarmupRatio),
            _ => new ConstantSchedule(),
        };
        if (model.FrozenPartCount(o.Freeze) is null)
            throw new Configuration.OptionsException($"--freeze: '{o.Freeze}' is not one of {string.Join("|", model.FreezeTargets)}");
        return [new TrainingPhase("train", 1, o.Epochs, o.Freeze, o.TrainBn,
            p => ParameterGroups.Build(model, p, kind, o.Lr, o.HeadLrMult, o.WeightDecay, o.LrLow ?? 0, o.LayerDecay ?? 1), schedule)];
    }
}
