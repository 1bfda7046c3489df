namespace SharpTune.Training;

/// <summary>
/// A loss, a weight or a statistic became NaN or infinite; the run stops with exit code 1 and keeps its last good
/// checkpoint (nothing non-finite is ever saved as a model).
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>The training loss of a step became non-finite.</summary>
    public NonFiniteLossException(int epoch, int step, double loss)
        : base($"training loss became {loss} at epoch {epoch}, step {step}; stopped (lower the learning rate?)")
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>Something else became non-finite in <paramref name="epoch"/>: <paramref name="what"/> says what.</summary>
    public NonFiniteLossException(int epoch, string what) : base($"{what} at epoch {epoch}; stopped")
    {
        Epoch = epoch;
    }

    /// <summary>1-based epoch in which it happened.</summary>
    public int Epoch { get; }

    /// <summary>1-based step within the epoch (0 when not a training step).</summary>
    public int Step { get; }
}
