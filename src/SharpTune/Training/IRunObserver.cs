namespace SharpTune.Training;

/// <summary>What a fine-tuning job tells its caller while it works: messages plus the trainer's events.</summary>
public interface IRunObserver : ITrainerCallback
{
    /// <summary>A line of information (setup steps, loaded weights, bad files).</summary>
    void Info(string message) { }

    /// <summary>Something the user should look at, that does not stop the run.</summary>
    void Warning(string message) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : IRunObserver
{
    /// <summary>The shared instance.</summary>
    public static SilentObserver Instance { get; } = new();
}
