namespace SharpTune.Training;

/// <summary>How the body of the model starts.</summary>
public enum InitMode
{
    /// <summary>From the zoo's pretrained weights (or <c>--weights</c>): fine-tuning.</summary>
    Pretrained,
    /// <summary>Random initialisation, same architecture: training from scratch.</summary>
    Scratch,
}
