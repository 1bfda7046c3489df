using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SharpTune.Distributed;
using SharpTune.Models;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Bench.Distributed;

/// <summary>
/// <c>allreduce</c> (run under <c>mpirun -np N</c>): how long the gradient all-reduce of one optimiser step of the zoo's
/// ResNet-18 takes (every parameter trainable, 25 MiB buckets, as in training), median of repeated steps.
/// </summary>
public static class AllReduceBenchmark
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Build()
    {
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 20 };
        var json = new Option<string?>("--json");
        var command = new Command("allreduce", "Gradient all-reduce time of one ResNet-18 step (run under mpirun -np N).") { repeats, json };
        command.SetAction(p => Run(p.GetValue(repeats), p.GetValue(json)));
        return command;
    }

    private static int Run(int repeats, string? jsonPath)
    {
        using var world = MpiCommunicator.Initialize();
        set_num_threads(1);
        using var model = ModelZoo.Get("resnet18").Build(2);
        var parameters = model.parameters().ToList();
        using (var noGrad = no_grad())
            model.call(randn(2, 3, 64, 64)).sum().Dispose();
        model.call(randn(2, 3, 64, 64)).sum().backward(); // gradients exist, as after a training step
        long floats = parameters.Sum(p => p.numel());
        var sync = new GradientSync(world);
        var times = new List<double>();
        for (int i = 0; i < repeats + 2; i++)
        {
            world.Barrier();
            var clock = Stopwatch.StartNew();
            sync.AllReduce(parameters);
            if (i >= 2) times.Add(clock.Elapsed.TotalMilliseconds); // the first two warm up the transport
        }
        times.Sort();
        double median = times[times.Count / 2];
        if (world.Rank == 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"processes={world.Size} floats={floats} megabytes={floats * 4 / 1e6:0.0} allreduce_ms_median={median:0.00} min={times[0]:0.00} max={times[^1]:0.00}"));
            if (jsonPath is not null)
                RunJson.Write(jsonPath, new { processes = world.Size, floats, megabytes = floats * 4 / 1e6, allreduce_ms_median = median, allreduce_ms_min = times[0], allreduce_ms_max = times[^1], machine = BenchResults.Machine() });
        }
        return 0;
    }
}
