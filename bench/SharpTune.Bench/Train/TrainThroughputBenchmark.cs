using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using SharpTune.Training;
using SharpTune.Tuning;
using static TorchSharp.torch;

namespace SharpTune.Bench.Train;

/// <summary>
/// <c>train</c>: training throughput of the d2l recipe for a fixed number of steps on real data — the same
/// definition as the peer's <c>examples_per_sec_wall</c>: examples over the wall time of the training phase, data
/// waits included. Prints <c>examples_per_sec=&lt;n&gt;</c> and writes JSON.
/// </summary>
public static class TrainThroughputBenchmark
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Build()
    {
        var data = new Option<string>("--data") { Required = true, Description = "ImageFolder dataset." };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 224 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 8, Description = "Training steps timed (all of them, as the peer)." };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var workers = new Option<int>("--workers") { DefaultValueFactory = _ => 2 };
        var precision = new Option<string>("--precision") { DefaultValueFactory = _ => "fp32", Description = "fp32, bf16 (mixed precision as --precision bf16), or bf16-pure (whole model in bf16: an upper bound)." };
        var channelsLast = new Option<bool>("--channels-last") { Description = "Inputs in channels-last memory format (oneDNN then keeps activations channels-last)." };
        var json = new Option<string?>("--json") { Description = "Write the result here." };
        var command = new Command("train", "Training throughput (d2l recipe) for a fixed number of steps.")
        {
            data, size, batch, steps, threads, workers, precision, channelsLast, json,
        };
        command.SetAction(p => Run(p.GetValue(data)!, p.GetValue(size), p.GetValue(batch), p.GetValue(steps), p.GetValue(threads),
            p.GetValue(workers), p.GetValue(precision)!, p.GetValue(channelsLast), p.GetValue(json)));
        return command;
    }

    private static int Run(string data, int size, int batchSize, int steps, int threads, int workers, string precision, bool channelsLast, string? jsonPath)
    {
        var options = new FineTuneOptions
        {
            Data = Path.GetFullPath(data), Size = size, BatchSize = batchSize, Threads = threads, Workers = workers, CacheMb = 1024,
            Precision = precision == "bf16" ? Precision.Bf16 : Precision.Fp32,
        };
        using var setup = new ImageRunSetup(options, SilentObserver.Instance);
        var model = (SharpTune.Models.ResNet)setup.Prepared.Model;
        var dtype = precision == "bf16-pure" ? ScalarType.BFloat16 : ScalarType.Float32;
        if (dtype != ScalarType.Float32) model.to(dtype);
        var plan = new FreezePlan(model, FreezeLevel.None);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.BodyAndHead, options.Lr, options.HeadLrMult, options.WeightDecay);
        using var sgd = ParameterGroups.Create(OptimizerKind.Sgd, groups, 0, options.AdamBeta2);
        plan.SetTrainingMode(true);

        int done = 0;
        long examples = 0;
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; done < steps; epoch++)
        {
            foreach (var batch in setup.Train.Epoch(epoch))
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var x = b.Inputs.to(dtype);
                if (channelsLast) x = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2); // NCHW view with NHWC strides: channels-last (TorchSharp has no memory_format API)
                var loss = nn.functional.cross_entropy(model.call(x).to(ScalarType.Float32), b.Labels, reduction: nn.Reduction.Sum);
                sgd.zero_grad();
                loss.backward();
                sgd.step();
                examples += b.Count;
                if (++done >= steps) break;
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double rate = examples / seconds;
        double wait = setup.Train.LastEpochWaitTime.TotalSeconds;
        long rss = ProcessMemory.PeakRssBytes();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"steps={done} examples={examples} seconds={seconds:0.00} data_wait_s={wait:0.00} peak_rss_mb={rss / 1048576} precision={precision} channels_last={channelsLast}"));
        Console.WriteLine(string.Create(inv, $"examples_per_sec={rate:0.00}"));
        if (jsonPath is not null)
            RunJson.Write(jsonPath, new { examples_per_sec = rate, steps = done, examples, seconds, data_wait_s = wait, peak_rss_bytes = rss, precision, channels_last = channelsLast, batch_size = batchSize, size, threads, workers });
        return 0;
    }
}
