using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace SharpTune.Bench.Train;

/// <summary>
/// <c>kernels</c>: median times of ResNet-18's convolution shapes (forward, backward) and BatchNorm (forward+backward)
/// at batch 32 through TorchSharp's libtorch; <c>bench/peer_kernels.py</c> runs the same shapes in the peer's PyTorch,
/// to tell a kernel difference between the two libtorch builds from overhead in SharpTune.
/// </summary>
public static class KernelBenchmark
{
    /// <summary>Builds the subcommand.</summary>
    public static Command Build()
    {
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var command = new Command("kernels", "Median times of ResNet-18's convolution and BatchNorm shapes at batch 32.") { threads };
        command.SetAction(p => Run(p.GetValue(threads)));
        return command;
    }

    private static int Run(int threads)
    {
        set_num_threads(threads);
        foreach (var (c, hw, stride) in new[] { (64, 56, 1), (128, 28, 1), (256, 14, 1), (512, 7, 1), (3, 224, 2) })
        {
            int k = c == 3 ? 7 : 3, outC = c == 3 ? 64 : c;
            using var conv = nn.Conv2d(c, outC, k, stride: stride, padding: k / 2, bias: false);
            using var x = randn(32, c, hw, hw).requires_grad_(c != 3);
            var fwd = new List<double>();
            var bwd = new List<double>();
            for (int i = 0; i < 7; i++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                var y = conv.call(x);
                double f = clock.Elapsed.TotalMilliseconds;
                y.sum().backward();
                if (i < 2) continue;
                fwd.Add(f);
                bwd.Add(clock.Elapsed.TotalMilliseconds - f);
            }
            using var bn = nn.BatchNorm2d(outC);
            using var z = randn(32, outC, hw / stride, hw / stride).requires_grad_(true);
            var norm = new List<double>();
            for (int i = 0; i < 7; i++)
            {
                using var scope = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                bn.call(z).sum().backward();
                if (i >= 2) norm.Add(clock.Elapsed.TotalMilliseconds);
            }
            static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sharptune c={c} hw={hw} conv_fwd_ms={Median(fwd):0.0} conv_bwd_ms={Median(bwd):0.0} bn_fwdbwd_ms={Median(norm):0.0}"));
        }
        return 0;
    }
}
