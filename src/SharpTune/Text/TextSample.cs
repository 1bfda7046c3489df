namespace SharpTune.Text;

/// <summary>One labelled document.</summary>
/// <param name="Text">The document's text.</param>
/// <param name="Label">Class index.</param>
/// <param name="Source">Where it came from: a file path, or <c>file:line</c> for a table row.</param>
public sealed record TextSample(string Text, int Label, string Source);

/// <summary>A record (table row or text file) that cannot be used, and why. Bad records are reported, never fatal (unless the policy says so).</summary>
/// <param name="File">The file.</param>
/// <param name="Line">1-based line where the record starts (null for a whole file).</param>
/// <param name="Reason">What is wrong with it.</param>
public sealed record BadRecord(string File, int? Line, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => Line is int line ? $"{File}:{line}: {Reason}" : $"{File}: {Reason}";
}
