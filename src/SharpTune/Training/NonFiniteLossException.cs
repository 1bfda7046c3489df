namespace SharpTune.Training;

/// <summary>The training loss became NaN or infinite; the run stops and keeps its last good checkpoint.</summary>
public sealed class NonFiniteLossException(int epoch, int step, double loss)
    : Exception($"training loss became {loss} at epoch {epoch}, step {step}; stopped (lower the learning rate?)")
{
    /// <summary>1-based epoch in which it happened.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>1-based step within the epoch.</summary>
    public int Step { get; } = step;
}
