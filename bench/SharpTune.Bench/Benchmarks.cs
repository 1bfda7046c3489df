using System.CommandLine;
using SharpTune.Bench.Data;

namespace SharpTune.Bench;

/// <summary>The benchmark registry: add a benchmark by adding its command here.</summary>
public static class Benchmarks
{
    /// <summary>Every benchmark subcommand.</summary>
    public static IReadOnlyList<Command> All =>
    [
        DataPipelineBenchmark.Build(),
        GenerateJpegs.Build(),
        Train.TrainThroughputBenchmark.Build(),
        Train.GemmLimitBenchmark.Build(),
        Train.StepProfileBenchmark.Build(),
        Train.KernelBenchmark.Build(),
        Distributed.AllReduceBenchmark.Build(),
    ];
}
