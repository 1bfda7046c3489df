using SharpTune.Training.Schedules;
using SharpTune.Tuning;
using Parameter = TorchSharp.Modules.Parameter;

namespace SharpTune.Training;

/// <summary>
/// A stretch of epochs trained with one freeze level, one set of parameter groups, one optimiser and one schedule.
/// The d2l recipe is one phase; fastai's is two (head only, then everything).
/// </summary>
/// <param name="Name">Phase name for logs.</param>
/// <param name="FirstEpoch">First epoch (1-based).</param>
/// <param name="LastEpoch">Last epoch (inclusive).</param>
/// <param name="Freeze">Freeze level during the phase.</param>
/// <param name="TrainBatchNorm">Keep BatchNorm of frozen parts training.</param>
/// <param name="Groups">Parameter groups from the trainable parameters.</param>
/// <param name="Schedule">Learning-rate schedule over the phase's optimiser steps.</param>
public sealed record TrainingPhase(
    string Name,
    int FirstEpoch,
    int LastEpoch,
    FreezeLevel Freeze,
    bool TrainBatchNorm,
    Func<IEnumerable<(string Name, Parameter Parameter)>, IReadOnlyList<ParameterGroup>> Groups,
    LrSchedule Schedule)
{
    /// <summary>Epochs in the phase.</summary>
    public int Epochs => LastEpoch - FirstEpoch + 1;
}

/// <summary>Turns options into the phases of a run.</summary>
public static class TrainingPlan
{
    /// <summary>Total epochs of a run: the fastai recipe adds its frozen epochs.</summary>
    public static int TotalEpochs(FineTuneOptions o) => o.Recipe == RecipeKind.Fastai ? o.FreezeEpochs + o.Epochs : o.Epochs;

    /// <summary>The phases for <paramref name="o"/>; <paramref name="stepsPerEpoch"/> is in optimiser steps.</summary>
    public static IReadOnlyList<TrainingPhase> Build(FineTuneOptions o, string classifierPrefix, int stepsPerEpoch)
    {
        if (o.Recipe == RecipeKind.Fastai)
        {
            // fastai fine_tune: fit_one_cycle(freeze_epochs, slice(lr), pct_start=0.99); lr /= 2; unfreeze;
            // fit_one_cycle(epochs, slice(lr/100, lr), pct_start=0.3, div=5).
            double high = o.LrLow is null ? o.Lr / 2 : o.Lr;
            double low = o.LrLow ?? high / 100;
            var phases = new List<TrainingPhase>();
            if (o.FreezeEpochs > 0)
                phases.Add(new("head (body frozen)", 1, o.FreezeEpochs, FreezeLevel.Backbone, o.TrainBn,
                    p => ParameterGroups.Split(p, classifierPrefix, o.Lr, 1, separateHead: false), new OneCycleSchedule(PctStart: 0.99)));
            phases.Add(new("all layers", o.FreezeEpochs + 1, o.FreezeEpochs + o.Epochs, FreezeLevel.None, o.TrainBn,
                p => ParameterGroups.Discriminative(p, classifierPrefix, low, high), new OneCycleSchedule(PctStart: 0.3, Div: 5)));
            return phases;
        }

        Func<IEnumerable<(string, Parameter)>, IReadOnlyList<ParameterGroup>> groups =
            o.LrLow is double lowLr ? p => ParameterGroups.Discriminative(p, classifierPrefix, lowLr, o.Lr)
            : o.LayerDecay is double decay ? p => ParameterGroups.LayerDecay(p, classifierPrefix, o.Lr, decay)
            : p => ParameterGroups.Split(p, classifierPrefix, o.Lr, o.HeadLrMult, o.ParamGroups);
        LrSchedule schedule = o.Schedule switch
        {
            ScheduleKind.Step => new StepSchedule((long)o.StepEpochs * stepsPerEpoch, o.StepGamma),
            ScheduleKind.Cosine => new CosineSchedule((long)Math.Round(o.WarmupEpochs * stepsPerEpoch)),
            ScheduleKind.OneCycle => new OneCycleSchedule(),
            _ => new ConstantSchedule(),
        };
        var freeze = FreezeLevels.TryParse(o.Freeze) ?? throw new Configuration.OptionsException($"--freeze: '{o.Freeze}' is not a level of a ResNet ({string.Join("|", FreezeLevels.Names)})");
        return [new TrainingPhase("train", 1, o.Epochs, freeze, o.TrainBn, groups, schedule)];
    }
}
