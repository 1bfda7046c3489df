namespace SharpTune.Data;

/// <summary>
/// A dataset that cannot be used as it is: a missing split or class folder, class sets that differ between splits, or
/// bad image files under <see cref="BadFilePolicy.Fail"/>. The message names the path(s) and what is wrong.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>Creates the exception with a message naming the path(s) and the problem.</summary>
    public DataException(string message) : base(message) => BadImages = [];

    /// <summary>Creates the exception for a list of bad image files; the message lists every one of them.</summary>
    public DataException(string message, IReadOnlyList<BadImage> badImages)
        : base(message + Environment.NewLine + string.Join(Environment.NewLine, badImages.Select(b => "  " + b)))
        => BadImages = badImages;

    /// <summary>The bad image files behind this exception (empty when it is about something else).</summary>
    public IReadOnlyList<BadImage> BadImages { get; }
}
