namespace SharpTune.Data;

/// <summary>
/// A dataset that cannot be used as it is: a missing split or class folder, class sets that differ between splits, a
/// single class, or bad image files under <see cref="BadFilePolicy.Fail"/>. The message names the path(s) and what is
/// wrong.
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

    /// <summary>
    /// Whether the dataset is the wrong kind of input rather than damaged (one class: nothing to classify), so that a
    /// command line reports it as a usage error (exit code 2), like a bad option.
    /// </summary>
    public bool IsUsageError { get; init; }

    /// <summary>Fewest classes a classifier can be trained on.</summary>
    public const int MinimumClasses = 2;

    /// <summary>The refusal of a dataset with fewer than <see cref="MinimumClasses"/> classes (a usage error).</summary>
    /// <param name="where">The split folder or table the classes come from.</param>
    /// <param name="classes">The classes found.</param>
    /// <param name="kind">What a class is there: "class folder" or "label".</param>
    internal static DataException TooFewClasses(string where, IReadOnlyList<string> classes, string kind) =>
        new(TooFewClassesMessage(where, classes, kind)) { IsUsageError = true };

    /// <summary>The message of <see cref="TooFewClasses"/> (also a problem line of <see cref="DatasetInspector"/>).</summary>
    internal static string TooFewClassesMessage(string where, IReadOnlyList<string> classes, string kind) =>
        $"'{where}' has {classes.Count} {kind}{(classes.Count == 1 ? "" : "s")} ({string.Join(", ", classes)}): " +
        $"a classifier needs at least {MinimumClasses} classes";
}
