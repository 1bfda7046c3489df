using System.Text.Json;
using SharpTune.IO;

namespace SharpTune.Bench;

/// <summary>Writes a benchmark's JSON result file (bench/results is not committed).</summary>
public static class BenchResults
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Writes <paramref name="result"/> to <c>&lt;dir&gt;/&lt;name&gt;-&lt;UTC time&gt;.json</c> and returns the path.</summary>
    public static string Write(string dir, string name, object result)
    {
        var path = Path.GetFullPath(Path.Combine(dir, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json"));
        AtomicFile.WriteText(path, JsonSerializer.Serialize(result, Options) + "\n");
        return path;
    }

    /// <summary>Facts about the machine a result was measured on.</summary>
    public static object Machine() => new
    {
        Os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        Cores = Environment.ProcessorCount,
        Cpu = CpuName(),
    };

    private static string CpuName()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
