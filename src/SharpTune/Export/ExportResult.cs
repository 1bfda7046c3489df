namespace SharpTune.Export;

/// <summary>What an export wrote.</summary>
/// <param name="Format">The format.</param>
/// <param name="ModelFile">The model or weights file (full path).</param>
/// <param name="Files">Every file written (the model file first; <c>config.json</c> for state dicts).</param>
public sealed record ExportResult(ExportFormat Format, string ModelFile, IReadOnlyList<string> Files);
