using System.Globalization;
using SharpTune.Models;
using SharpTune.Models.Bert;
using static TorchSharp.torch;

namespace SharpTune.Tests;

/// <summary>
/// Bounds for comparing two float32 computations of the same quantity that round differently: another backend (ONNX
/// Runtime's kernels against libtorch's), another batch shape or sequence length (other GEMM blocking), merged against
/// unmerged weights, gradients summed by two ranks against one process. Such results are not bit-identical, and how far
/// apart they land depends on the CPU's kernels (AVX2 against AVX-512 blocking), so a bound must come from an error
/// argument, relative to the scale of what is compared, not from the value one machine happened to show.
/// <para>
/// The forward argument (<see cref="Forward"/>): a float32 sum of K terms is within K·eps·Σ|terms| of the exact sum
/// in the worst case; with rounding errors of random sign they add up like a random walk, about sqrt(K)·eps of the
/// sum's scale (Higham and Mary, "A new approach to probabilistic rounding error analysis", SIAM J. Sci. Comput.
/// 2019), and blocked GEMM kernels round less than that. An output of a network of depth D (D reductions one after
/// another, the longest of K terms) ends a chain of at most D·K such roundings, each relative to its layer's scale,
/// which BatchNorm and LayerNorm keep close to the output's: sqrt(D·K)·eps of the output's largest magnitude. Each of
/// the two evaluations is such a walk; the bound is twice that, 2·sqrt(D·K)·eps·scale.
/// </para>
/// <para>
/// Measured on an AVX2-only AMD Zen 3 (EPYC), every comparison that uses <see cref="Forward"/> stayed below 1/18 of
/// its bound (the closest: a random basic-block ResNet fed 0–255 BGR pixels, logits up to 196, 1.07e-4 against
/// 1.97e-3; the former fixed 1e-4 failed there). Run with SHARPTUNE_TOLERANCE_LOG=FILE to list every measured value
/// with its bound on another machine.
/// </para>
/// </summary>
public static class Tolerances
{
    /// <summary>float32 machine epsilon, 2⁻²³ ≈ 1.19e-7: one rounding moves a value by at most eps/2 of itself.</summary>
    public const double EpsF32 = 1.0 / (1 << 23);

    /// <summary>
    /// How far two float32 evaluations of one network of depth <paramref name="depth"/> (longest reduction
    /// <paramref name="reduction"/> terms) may differ anywhere in an output whose largest magnitude is
    /// <paramref name="scale"/>: 2·sqrt(D·K)·eps·scale (see the class remarks).
    /// </summary>
    public static double Forward(double scale, int depth, int reduction) => 2 * Math.Sqrt((double)depth * reduction) * EpsF32 * scale;

    /// <summary>Depth of a ResNet (reductions one after another): the stem, every conv of every block, and the head.</summary>
    public static int Depth(ResNetSpec spec) => 1 + spec.Layers.Sum() * (spec.Block == ResNetBlock.Basic ? 2 : 3) + 1;

    /// <summary>
    /// Longest reduction of a ResNet: the stem (3 × 7 × 7), a 3×3 conv of the widest stage (9 × width), a bottleneck's
    /// 1×1 conv or the head over the expanded width.
    /// </summary>
    public static int LongestReduction(ResNetSpec spec) => Math.Max(3 * 7 * 7, Math.Max(9 * spec.Widths.Max(), spec.NumFeatures));

    /// <summary>
    /// Depth of a BERT classifier: the embeddings' LayerNorm; per layer the Q/K/V projection, the scores, the softmax's
    /// sum, the weighted values, the attention output, its LayerNorm, the intermediate and output projections and their
    /// LayerNorm (9); then the pooling and the classifier.
    /// </summary>
    public static int Depth(BertConfig config) => 1 + 9 * config.NumHiddenLayers + 2;

    /// <summary>Longest reduction of a BERT classifier over sequences of up to <paramref name="length"/> tokens.</summary>
    public static int LongestReduction(BertConfig config, int length) => Math.Max(Math.Max(config.HiddenSize, config.IntermediateSize), length);

    /// <summary>
    /// How far, relative to each tensor's scale (max |a − b| / max |a|), the weights of two runs of
    /// <paramref name="steps"/> momentum-SGD steps may differ when the only difference is the order in which gradient
    /// sums of up to <paramref name="reduction"/> terms are added: one process sums the whole batch, each of two ranks
    /// sums its part and the all-reduce adds the parts (SyncBatchNorm's statistics likewise). The argument:
    /// <list type="bullet">
    /// <item>per step, each order is within K·eps of the exact K-term sum, relative to the terms' scale (the worst
    /// case), so the two differ by at most 2·K·eps of the gradient's scale;</item>
    /// <item>momentum β carries step s's gradient into updates s…S with weights 1, β, …, β^(S−s), so the weights hold
    /// Σ_s Σ_j β^j such errors (<see cref="MomentumCarry"/>: 5.6 for S = 3, β = 0.9), each at most the update's scale;</item>
    /// <item>the summed updates are at most the tensor's scale: all of it for biases, which start at 0, a fraction of
    /// it for weights, which start at the same initial values in both runs;</item>
    /// <item>left out: differences fed back through the changed weights into later gradients (growing like
    /// (1 + lr·λ)^S with the loss's curvature λ, so a few steps at a moderate learning rate), and ReLU or max-pool
    /// decisions they flip. Those stay inside the gap between the worst case K·eps used here and the typical
    /// sqrt(K)·eps of the class remarks, a factor sqrt(K) (45 for K = 2048).</item>
    /// </list>
    /// Measured on an AVX2-only AMD Zen 3 (MpiTrainingTests, one epoch of 3 steps, K = 2048): 3.7e-4 against 2.7e-3
    /// (layer4.0.conv1.weight, mean reduction at lr 0.05; the former absolute 1e-4 failed there). Without
    /// SyncBatchNorm the two runs differ by 3.9, so the bound still tells a real mistake from rounding.
    /// </summary>
    public static double DataParallel(int reduction, int steps, double momentum) => 2 * reduction * EpsF32 * MomentumCarry(steps, momentum);

    /// <summary>Σ_{s=1..S} Σ_{j=0..S−s} β^j: how many times, weighted, a gradient's error enters the weights after S steps.</summary>
    public static double MomentumCarry(int steps, double momentum) =>
        Enumerable.Range(1, steps).Sum(s => Enumerable.Range(0, steps - s + 1).Sum(j => Math.Pow(momentum, j)));

    /// <summary>Largest |value| of a float matrix (the scale a bound is relative to).</summary>
    public static double MaxAbs(float[,] values)
    {
        double max = 0;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    /// <summary>Largest |value| of a tensor, in double.</summary>
    public static double MaxAbs(Tensor t)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return t.abs().max().to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Largest |a − b| of two tensors of one shape, in double.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return (a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>
    /// Asserts <paramref name="measured"/> ≤ <paramref name="bound"/>, naming both. With SHARPTUNE_TOLERANCE_LOG set,
    /// also appends "what measured bound" to that file, to re-measure the margins on another machine.
    /// </summary>
    public static void Within(double measured, double bound, string what)
    {
        if (Environment.GetEnvironmentVariable("SHARPTUNE_TOLERANCE_LOG") is { Length: > 0 } log)
            lock (LogLock)
                File.AppendAllText(log, string.Create(CultureInfo.InvariantCulture, $"{what}\t{measured:E3}\t{bound:E3}\t{(bound > 0 ? measured / bound : double.NaN):F4}\n"));
        Assert.True(measured <= bound,
            string.Create(CultureInfo.InvariantCulture, $"{what}: {measured:E3} exceeds the bound {bound:E3}"));
    }

    private static readonly object LogLock = new();
}
