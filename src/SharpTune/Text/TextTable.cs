using System.Text;
using System.Text.Json;
using SharpTune.Data;

namespace SharpTune.Text;

/// <summary>A row read from a text table: the text, its label as written, and the line it starts on.</summary>
/// <param name="Text">The text field.</param>
/// <param name="Label">The label field as text.</param>
/// <param name="Line">1-based line where the record starts.</param>
public sealed record TextRow(string Text, string Label, int Line);

/// <summary>Names of the text and label fields of a table (CSV/TSV header names or JSON Lines keys).</summary>
/// <param name="Text">Field holding the document.</param>
/// <param name="Label">Field holding the class.</param>
public sealed record TextColumns(string Text = "text", string Label = "label");

/// <summary>
/// Reads labelled text tables: CSV (RFC 4180: a header row, quoted fields with doubled quotes, newlines inside
/// quotes), TSV (same rules, tab-separated) and JSON Lines (one object per line). A malformed record is reported with
/// its line number and left out; the rest of the file is read.
/// </summary>
public static class TextTable
{
    /// <summary>File extensions recognised as tables.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".csv", ".tsv", ".jsonl"];

    /// <summary>Reads <paramref name="path"/> (format from its extension); bad records go to <paramref name="bad"/>.</summary>
    public static List<TextRow> Read(string path, TextColumns columns, List<BadRecord> bad)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        using var reader = new StreamReader(path, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        return ext switch
        {
            ".csv" => ReadDelimited(reader, path, ',', columns, bad),
            ".tsv" => ReadDelimited(reader, path, '\t', columns, bad),
            ".jsonl" => ReadJsonLines(reader, path, columns, bad),
            _ => throw new ArgumentException($"{path}: not a table ({string.Join(", ", Extensions)})"),
        };
    }

    private static List<TextRow> ReadDelimited(TextReader reader, string path, char delimiter, TextColumns columns, List<BadRecord> bad)
    {
        var rows = new List<TextRow>();
        int line = 1;
        var header = ReadRecord(reader, delimiter, ref line, out _);
        if (header is null) throw new DataException($"{path}: empty file (expected a header row with '{columns.Text}' and '{columns.Label}')");
        int textIndex = header.FindIndex(h => h.Trim() == columns.Text);
        int labelIndex = header.FindIndex(h => h.Trim() == columns.Label);
        if (textIndex < 0 || labelIndex < 0)
            throw new DataException($"{path}:1: header [{string.Join(", ", header)}] lacks the column '{(textIndex < 0 ? columns.Text : columns.Label)}' (set --text-column/--label-column)");
        while (true)
        {
            int start = line;
            var fields = ReadRecord(reader, delimiter, ref line, out var error);
            if (fields is null) break;
            if (error is not null) { bad.Add(new BadRecord(path, start, error)); continue; }
            if (fields.Count == 1 && fields[0].Length == 0) continue; // blank line
            if (fields.Count != header.Count) { bad.Add(new BadRecord(path, start, $"{fields.Count} fields, the header has {header.Count}")); continue; }
            AddRow(rows, bad, path, start, fields[textIndex], fields[labelIndex]);
        }
        return rows;
    }

    /// <summary>One record (fields), advancing <paramref name="line"/>; null at end of input.</summary>
    private static List<string>? ReadRecord(TextReader reader, char delimiter, ref int line, out string? error)
    {
        error = null;
        int c = reader.Read();
        if (c < 0) return null;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        while (true)
        {
            if (c < 0)
            {
                if (quoted) error = "a quoted field is not closed before the end of the file";
                fields.Add(field.ToString());
                return fields;
            }
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0 && !wasQuoted) { quoted = true; wasQuoted = true; }
            else if (ch == delimiter) { fields.Add(field.ToString()); field.Clear(); wasQuoted = false; }
            else if (ch == '\r' && reader.Peek() == '\n') { /* CRLF: the LF ends the record */ }
            else if (ch == '\n')
            {
                line++;
                fields.Add(field.ToString());
                return fields;
            }
            else
            {
                if (wasQuoted) error ??= "characters after a closing quote";
                field.Append(ch);
            }
            c = reader.Read();
        }
    }

    private static List<TextRow> ReadJsonLines(TextReader reader, string path, TextColumns columns, List<BadRecord> bad)
    {
        var rows = new List<TextRow>();
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) { bad.Add(new BadRecord(path, line, "not a JSON object")); continue; }
                if (!doc.RootElement.TryGetProperty(columns.Text, out var t) || t.ValueKind != JsonValueKind.String)
                { bad.Add(new BadRecord(path, line, $"no string field '{columns.Text}'")); continue; }
                if (!doc.RootElement.TryGetProperty(columns.Label, out var l) || l.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                { bad.Add(new BadRecord(path, line, $"no string or number field '{columns.Label}'")); continue; }
                AddRow(rows, bad, path, line, t.GetString()!, l.ValueKind == JsonValueKind.String ? l.GetString()! : l.GetRawText());
            }
            catch (JsonException e)
            {
                bad.Add(new BadRecord(path, line, $"invalid JSON ({e.Message.Split('.')[0]})"));
            }
        }
        return rows;
    }

    private static void AddRow(List<TextRow> rows, List<BadRecord> bad, string path, int line, string text, string label)
    {
        if (string.IsNullOrWhiteSpace(text)) bad.Add(new BadRecord(path, line, "empty text"));
        else if (string.IsNullOrWhiteSpace(label)) bad.Add(new BadRecord(path, line, "empty label"));
        else rows.Add(new TextRow(text, label.Trim(), line));
    }
}
