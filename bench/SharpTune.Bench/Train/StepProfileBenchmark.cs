using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Tuning;
using static TorchSharp.torch;

namespace SharpTune.Bench.Train;

/// <summary>
/// <c>step-profile</c>: where a training step of the zoo's ResNet-18 spends its time — forward, backward, optimiser
/// step — on a fixed synthetic batch (no data loading), after warm-up steps; the median of each phase. The peer's
/// twin is <c>bench/peer_step_profile.py</c>, so both sides of the same libtorch-kernel comparison can be set side by side.
/// </summary>
public static class StepProfileBenchmark
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Build()
    {
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 224 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 6 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var command = new Command("step-profile", "Median forward / backward / optimiser-step times of ResNet-18 on a synthetic batch.") { size, batch, steps, threads };
        command.SetAction(p => Run(p.GetValue(size), p.GetValue(batch), p.GetValue(steps), p.GetValue(threads)));
        return command;
    }

    private static int Run(int size, int batchSize, int steps, int threads)
    {
        set_num_threads(threads);
        manual_seed(0);
        using var model = ModelZoo.Get("resnet18").Build(2);
        var plan = new FreezePlan(model, FreezeLevel.None);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.BodyAndHead, 5e-5, 10, 1e-3);
        using var sgd = ParameterGroups.Create(OptimizerKind.Sgd, groups, 0, 0.99);
        plan.SetTrainingMode(true);
        using var x = randn(batchSize, 3, size, size);
        using var y = randint(0, 2, [batchSize], dtype: ScalarType.Int64);
        var forward = new List<double>();
        var backward = new List<double>();
        var step = new List<double>();
        for (int i = 0; i < steps + 2; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var loss = nn.functional.cross_entropy(model.call(x), y, reduction: nn.Reduction.Sum);
            double f = clock.Elapsed.TotalMilliseconds;
            sgd.zero_grad();
            loss.backward();
            double b = clock.Elapsed.TotalMilliseconds;
            sgd.step();
            double s = clock.Elapsed.TotalMilliseconds;
            if (i < 2) continue; // warm-up: oneDNN builds its primitives
            forward.Add(f);
            backward.Add(b - f);
            step.Add(s - b);
        }
        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sharptune forward_ms={Median(forward):0.0} backward_ms={Median(backward):0.0} step_ms={Median(step):0.0} " +
            $"total_ms={Median(forward) + Median(backward) + Median(step):0.0} examples_per_sec={batchSize * 1000 / (Median(forward) + Median(backward) + Median(step)):0.00}"));
        return 0;
    }
}
