using System.Text.Json;
using System.Text.Json.Serialization;
using SharpTune.IO;

namespace SharpTune.Training;

/// <summary>JSON conventions of the run directory: snake_case names, enums as lower-case strings.</summary>
public static class RunJson
{
    /// <summary>Indented output, for files people read.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>One object per line, for JSON Lines.</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    /// <summary>Serialises <paramref name="value"/> to <paramref name="path"/> atomically.</summary>
    public static void Write<T>(string path, T value) =>
        AtomicFile.WriteText(path, JsonSerializer.Serialize(value, Indented) + "\n");

    /// <summary>Reads a JSON file, naming the file when it is missing or malformed.</summary>
    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new RunDirectoryException($"{path}: file not found");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Indented)
                   ?? throw new RunDirectoryException($"{path}: empty JSON document");
        }
        catch (JsonException e)
        {
            throw new RunDirectoryException($"{path}: malformed JSON ({e.Message})");
        }
    }

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = indented,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>A run directory (or a file in it) that is missing, incomplete, malformed or of another format version.</summary>
public sealed class RunDirectoryException(string message) : Exception(message);
