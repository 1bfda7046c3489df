namespace SharpTune.Training.Schedules;

/// <summary>Learning-rate schedule names as used on the command line.</summary>
public enum ScheduleKind
{
    /// <summary>Constant learning rate (the d2l recipe).</summary>
    Constant,
    /// <summary>Multiply by gamma every few epochs.</summary>
    Step,
    /// <summary>Linear warmup, then cosine decay to zero.</summary>
    Cosine,
    /// <summary>fastai's one-cycle: cosine up from lr/div to lr, then cosine down to lr/(div·1e5); momentum inversely.</summary>
    OneCycle,
    /// <summary>Linear warm-up over a share of the steps (<c>--warmup-ratio</c>), then linear decay to zero (BERT's schedule).</summary>
    Linear,
}
