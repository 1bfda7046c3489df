using System.CommandLine;
using static TorchSharp.torch;

namespace SharpTune.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
public static class CommonOptions
{
    /// <summary><c>--threads N</c>: intra-op threads of libtorch (default: the number of cores).</summary>
    public static Option<int> Threads() => new("--threads")
    {
        Description = "CPU threads for tensor operations (default: number of cores).",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    /// <summary>Validates and applies a thread count.</summary>
    public static void ApplyThreads(int threads)
    {
        if (threads < 1) throw new UsageException($"--threads must be at least 1, got {threads}");
        set_num_threads(threads);
    }
}
