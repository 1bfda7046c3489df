using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SharpTune.Models;
using SharpTune.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Bench.Train;

/// <summary>
/// <c>limit</c>: the machine's fp32 GEMM throughput through TorchSharp, the training FLOPs per image of the zoo's
/// ResNet-18 at a given size, and the examples/s that would imply if training ran at GEMM speed.
/// </summary>
public static class GemmLimitBenchmark
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Build()
    {
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 224 };
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 2048, Description = "Square GEMM size." };
        var json = new Option<string?>("--json");
        var command = new Command("limit", "fp32 GEMM GFLOP/s and the training throughput it implies for the recipe.") { threads, size, n, json };
        command.SetAction(p => Run(p.GetValue(threads), p.GetValue(size), p.GetValue(n), p.GetValue(json)));
        return command;
    }

    private static int Run(int threads, int size, int n, string? jsonPath)
    {
        set_num_threads(threads);
        using var a = randn(n, n);
        using var b = randn(n, n);
        for (int i = 0; i < 3; i++) a.matmul(b).Dispose(); // warm up
        int reps = 10;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < reps; i++) a.matmul(b).Dispose();
        double gemmGflops = 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9;

        using var model = ModelZoo.Get("resnet18").Build(2);
        double forward = ForwardFlops(model, size);
        double train = 3 * forward; // backward costs about twice the forward (input and weight gradients)
        double limit = gemmGflops * 1e9 / train;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"gemm_gflops={gemmGflops:0.0} threads={threads} n={n}"));
        Console.WriteLine(string.Create(inv, $"forward_gflop_per_image={forward / 1e9:0.000} train_gflop_per_image={train / 1e9:0.000} size={size}"));
        Console.WriteLine(string.Create(inv, $"limit_examples_per_sec={limit:0.0}"));
        if (jsonPath is not null)
            RunJson.Write(jsonPath, new { gemm_gflops = gemmGflops, threads, n, size, forward_gflop_per_image = forward / 1e9, train_gflop_per_image = train / 1e9, limit_examples_per_sec = limit });
        return 0;
    }

    /// <summary>Multiply-adds ×2 of every convolution and the classifier, from the ResNet's stage resolutions.</summary>
    public static double ForwardFlops(SharpTune.Models.ResNet model, int size)
    {
        double flops = 0;
        foreach (var (name, module) in model.named_modules())
        {
            if (module is Conv2d conv)
            {
                int stage = name.StartsWith("layer", StringComparison.Ordinal) ? name[5] - '0' : 0;
                double side = Math.Ceiling(size / Math.Pow(2, stage + 1));
                var w = conv.weight!.shape;
                flops += 2.0 * w[0] * w[1] * w[2] * w[3] * side * side;
            }
            else if (module is Linear linear)
            {
                flops += 2.0 * linear.in_features * linear.out_features;
            }
        }
        return flops;
    }
}
