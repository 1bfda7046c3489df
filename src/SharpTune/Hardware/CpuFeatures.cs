namespace SharpTune.Hardware;

/// <summary>
/// What the CPU computes natively. bf16 matters most: with AVX512-BF16 or AMX oneDNN runs bf16 convolutions and
/// matmuls in hardware (1.6–1.8× fp32 here); without them libtorch emulates bf16 through fp32 conversions and a
/// 112-px hot-dog epoch took over 12 minutes instead of 57 s in fp32 (AMD Zen 3, AVX2 only).
/// </summary>
public static class CpuFeatures
{
    private static readonly Lazy<IReadOnlySet<string>> Flags = new(ReadFlags);

    /// <summary>Flags that give native bf16 compute on x86 (Linux /proc/cpuinfo names).</summary>
    public static readonly IReadOnlyList<string> NativeBf16Flags = ["avx512_bf16", "amx_bf16"];

    /// <summary>True when the CPU has native bf16 arithmetic (<see cref="NativeBf16Flags"/>).</summary>
    public static bool HasNativeBf16 => NativeBf16Flags.Any(Flags.Value.Contains);

    /// <summary>The CPU's model name and its vector extensions, for reports (e.g. "AMD EPYC, avx2").</summary>
    public static string Describe()
    {
        var model = CpuInfoLines().FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim()
            : "unknown CPU";
        var vector = Flags.Value.Where(f => f is "avx2" || f.StartsWith("avx512", StringComparison.Ordinal) || f.StartsWith("amx", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        return $"{model} ({string.Join(", ", vector.DefaultIfEmpty("no AVX2"))})";
    }

    /// <summary>Whether the CPU reports <paramref name="flag"/> (a /proc/cpuinfo flag name).</summary>
    public static bool Has(string flag) => Flags.Value.Contains(flag);

    private static IReadOnlySet<string> ReadFlags()
    {
        var line = CpuInfoLines().FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? new HashSet<string>() : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> CpuInfoLines()
    {
        try
        {
            return File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").Take(64).ToList() : [];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
