namespace SharpTune.Configuration;

/// <summary>Bad options or configuration, found before any work starts. Each line names the option (or file and key).</summary>
public sealed class OptionsException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>Creates the exception for one problem.</summary>
    public OptionsException(string problem) : this([problem]) { }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
