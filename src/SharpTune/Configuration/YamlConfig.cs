using System.Text;
using SharpTune.IO;
using SharpTune.Training;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SharpTune.Configuration;

/// <summary>
/// Reads and writes fine-tuning configurations as YAML: a flat mapping of <see cref="OptionTable"/> names to scalar
/// values. Unknown keys and values of the wrong type are errors naming the file and key.
/// </summary>
public static class YamlConfig
{
    /// <summary>Applies the keys of <paramref name="path"/> on top of <paramref name="options"/>.</summary>
    /// <exception cref="OptionsException">Missing or malformed file, unknown key, invalid value.</exception>
    public static FineTuneOptions Apply(FineTuneOptions options, string path)
    {
        foreach (var (key, value) in Read(path))
        {
            var def = OptionTable.Find(key) ?? throw new OptionsException(
                $"{path}: unknown key '{key}' (known: {string.Join(", ", OptionTable.All.Select(d => d.Name))})");
            options = def.Apply(options, value, $"{path}: key '{key}'");
        }
        return options;
    }

    /// <summary>Reads the flat mapping of a YAML configuration file.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path)
    {
        if (!File.Exists(path)) throw new OptionsException($"{path}: configuration file not found");
        var stream = new YamlStream();
        try
        {
            // YamlStream builds its tree recursively: a file nested 100,000 levels deep would overflow the stack (a
            // crash no handler can catch), so the depth is checked first on the flat event stream.
            CheckDepth(path);
            using var reader = new StreamReader(path, Encoding.UTF8);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new OptionsException($"{path}: not valid YAML at line {e.Start.Line}: {e.Message}");
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new OptionsException($"{path}: expected a mapping of option names to values");
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? throw new OptionsException($"{path}: line {k.Start.Line}: keys must be plain names");
            if (v is not YamlScalarNode scalar)
                throw new OptionsException($"{path}: key '{key}' (line {v.Start.Line}) must have a single value, not a list or mapping");
            if (scalar.Value is null || scalar.Value is "~" or "null" || scalar.Value.Length == 0) continue;
            result.Add(new(key, scalar.Value));
        }
        return result;
    }

    private static void CheckDepth(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var parser = new Parser(reader);
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > OptionRanges.MaxYamlDepth)
                        throw new OptionsException($"{path}: nested more than {OptionRanges.MaxYamlDepth} levels deep at line {parser.Current.Start.Line}; a configuration is a flat mapping of option names to values");
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    /// <summary>Writes the resolved options (unset ones as comments) atomically.</summary>
    public static void Write(string path, FineTuneOptions options, string header)
    {
        var sb = new StringBuilder();
        foreach (var line in header.Split('\n')) sb.Append("# ").AppendLine(line);
        foreach (var (name, value) in OptionTable.Describe(options))
        {
            if (value is null) sb.Append("# ").Append(name).AppendLine(":");
            else sb.Append(name).Append(": ").AppendLine(Quote(value));
        }
        AtomicFile.WriteText(path, sb.ToString());
    }

    private static string Quote(string value)
    {
        bool plain = value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '+')
                     && !value.StartsWith('-');
        return plain ? value : "'" + value.Replace("'", "''") + "'";
    }
}
