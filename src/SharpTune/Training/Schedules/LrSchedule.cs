namespace SharpTune.Training.Schedules;

/// <summary>
/// A learning-rate schedule as a function of the optimiser step: <see cref="Factor"/> multiplies each parameter
/// group's base learning rate. Being a pure function of (step, total steps), it needs no state of its own, so a run
/// resumed at an epoch boundary continues exactly where the schedule was.
/// </summary>
public abstract record LrSchedule
{
    /// <summary>Multiplier of the base learning rate at 0-based step <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public abstract double Factor(long step, long totalSteps);

    /// <summary>SGD momentum (or Adam's β1) at the step, for schedules that cycle it; null leaves it alone.</summary>
    public virtual double? Momentum(long step, long totalSteps) => null;

    /// <summary>Cosine interpolation from <paramref name="start"/> to <paramref name="end"/> at <paramref name="t"/> ∈ [0, 1].</summary>
    protected static double Cos(double start, double end, double t) =>
        start + (end - start) * (1 - Math.Cos(Math.PI * Math.Clamp(t, 0, 1))) / 2;
}

/// <summary>Constant learning rate.</summary>
public sealed record ConstantSchedule : LrSchedule
{
    /// <inheritdoc />
    public override double Factor(long step, long totalSteps) => 1;
}

/// <summary>Step decay: ×<paramref name="Gamma"/> after every <paramref name="StepEvery"/> steps.</summary>
/// <param name="StepEvery">Optimiser steps between decays (the CLI gives it in epochs).</param>
/// <param name="Gamma">Decay factor.</param>
public sealed record StepSchedule(long StepEvery, double Gamma = 0.1) : LrSchedule
{
    /// <inheritdoc />
    public override double Factor(long step, long totalSteps) => Math.Pow(Gamma, step / Math.Max(1, StepEvery));
}

/// <summary>Linear warmup over <paramref name="WarmupSteps"/> steps (from 1/W to 1), then cosine decay to 0 at the last step.</summary>
/// <param name="WarmupSteps">Steps of linear warmup.</param>
public sealed record CosineSchedule(long WarmupSteps = 0) : LrSchedule
{
    /// <inheritdoc />
    public override double Factor(long step, long totalSteps)
    {
        if (step < WarmupSteps) return (step + 1) / (double)WarmupSteps;
        long decaySteps = Math.Max(1, totalSteps - WarmupSteps);
        return Cos(1, 0, (step - WarmupSteps) / (double)decaySteps);
    }
}

/// <summary>
/// fastai's one-cycle policy (<c>fit_one_cycle</c>): over the first <paramref name="PctStart"/> of the steps the
/// learning rate rises (cosine) from lr/<paramref name="Div"/> to lr while momentum falls from 0.95 to 0.85; then the
/// learning rate falls (cosine) to lr/(<paramref name="Div"/>·<paramref name="DivFinal"/>) and momentum rises back.
/// </summary>
/// <param name="PctStart">Share of the steps spent warming up.</param>
/// <param name="Div">Initial learning rate = lr / Div.</param>
/// <param name="DivFinal">Final learning rate = lr / (Div · DivFinal).</param>
public sealed record OneCycleSchedule(double PctStart = 0.25, double Div = 25, double DivFinal = 1e5) : LrSchedule
{
    /// <summary>Momentum at the start and end of the cycle.</summary>
    public const double MomentumHigh = 0.95;

    /// <summary>Momentum at the peak learning rate.</summary>
    public const double MomentumLow = 0.85;

    /// <inheritdoc />
    public override double Factor(long step, long totalSteps)
    {
        var (phase, t) = Position(step, totalSteps);
        return phase == 0 ? Cos(1 / Div, 1, t) : Cos(1, 1 / (Div * DivFinal), t);
    }

    /// <inheritdoc />
    public override double? Momentum(long step, long totalSteps)
    {
        var (phase, t) = Position(step, totalSteps);
        return phase == 0 ? Cos(MomentumHigh, MomentumLow, t) : Cos(MomentumLow, MomentumHigh, t);
    }

    private (int Phase, double T) Position(long step, long totalSteps)
    {
        double warm = Math.Max(1, Math.Round(PctStart * totalSteps));
        if (step < warm) return (0, step / warm);
        double rest = Math.Max(1, totalSteps - warm);
        return (1, (step - warm) / rest);
    }
}

/// <summary>
/// Linear warm-up then linear decay (BERT's schedule; Sun et al. 2019 warm up over the first 10% of steps). The factor
/// at 0-based step s of T steps with W = ⌈T × <paramref name="WarmupRatio"/>⌉ warm-up steps is (s + 1) / W during
/// warm-up (s &lt; W), then (T − s) / (T − W): 1 at the first step after warm-up, 1/(T − W) at the last.
/// </summary>
/// <param name="WarmupRatio">Share of the steps spent warming up, in [0, 1).</param>
public sealed record LinearWarmupDecaySchedule(double WarmupRatio) : LrSchedule
{
    /// <summary>Warm-up steps of a run of <paramref name="totalSteps"/> steps.</summary>
    public long WarmupSteps(long totalSteps) => (long)Math.Ceiling(totalSteps * WarmupRatio);

    /// <inheritdoc />
    public override double Factor(long step, long totalSteps)
    {
        long warmup = WarmupSteps(totalSteps);
        if (step < warmup) return (step + 1) / (double)warmup;
        return Math.Max(0, totalSteps - step) / (double)Math.Max(1, totalSteps - warmup);
    }
}
