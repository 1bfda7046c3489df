namespace SharpTune.Training;

/// <summary>A run stopped on request (Ctrl-C, SIGTERM); its last complete epoch's checkpoint is kept.</summary>
/// <param name="runPath">The run's directory, to resume with <c>sharptune finetune --resume</c>.</param>
/// <param name="inner">The cancellation that stopped it.</param>
public sealed class RunInterruptedException(string runPath, Exception? inner = null)
    : OperationCanceledException($"interrupted; resume with 'sharptune finetune --resume {runPath}'", inner)
{
    /// <summary>The run's directory.</summary>
    public string RunPath { get; } = runPath;
}
