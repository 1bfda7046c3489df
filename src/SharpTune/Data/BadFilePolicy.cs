namespace SharpTune.Data;

/// <summary>What to do with image files that cannot be used (empty, truncated, not an image, unreadable, too large).</summary>
public enum BadFilePolicy
{
    /// <summary>Leave the file out, report it once with the reason and count it in the run summary (default).</summary>
    Skip,

    /// <summary>Stop before training with the list of every bad file (opening the data then decodes every image).</summary>
    Fail,
}
