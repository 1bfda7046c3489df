namespace SharpTune.Data;

/// <summary>An image file that could not be used, and why.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Reason">What is wrong with it, e.g. <c>empty file (0 bytes)</c> or <c>truncated: …</c>.</param>
public sealed record BadImage(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Reason}";
}
