using Microsoft.ML.OnnxRuntime;
using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Onnx;

/// <summary>Result of running a converted model and its original ONNX graph on the same inputs.</summary>
/// <param name="PerInputMaxAbsDiff">Largest absolute difference of the features, per input.</param>
/// <param name="MeanAbsFeature">Mean absolute feature value (the scale the differences compare with).</param>
public sealed record ParityResult(IReadOnlyList<double> PerInputMaxAbsDiff, double MeanAbsFeature)
{
    /// <summary>Largest absolute difference over all inputs.</summary>
    public double MaxAbsDiff => PerInputMaxAbsDiff.Max();
}

/// <summary>Checks a converted ResNet against the ONNX graph it came from, with ONNX Runtime as the reference.</summary>
public static class ResNetParity
{
    /// <summary>
    /// Feeds <paramref name="inputs"/> (each [1, 3, H, W], already normalised) to the TorchSharp model's
    /// <see cref="ResNet.ForwardFeatures"/> and to the ONNX graph, and compares the pooled features.
    /// </summary>
    public static ParityResult Check(ResNet model, string onnxPath, IReadOnlyList<Tensor> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = get_num_threads() };
        using var session = new InferenceSession(onnxPath, options);
        var inputName = session.InputNames[0];
        var outputName = session.OutputNames[0];
        model.eval();
        var stats = new ParityStats();
        foreach (var input in inputs)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ours = model.ForwardFeatures(input).flatten().data<float>().ToArray();
            var data = input.contiguous().data<float>().ToArray();
            using var ortInput = OrtValue.CreateTensorValueFromMemory(data, input.shape);
            using var results = session.Run(new RunOptions(), [inputName], [ortInput], [outputName]);
            stats.Add(ours, results[0].GetTensorDataAsSpan<float>(), onnxPath);
        }
        return stats.Result;
    }

    /// <summary>
    /// Deterministic test inputs in the model's input space: random pixels (uniform 0–255 per channel) normalised with
    /// <paramref name="normalization"/>, plus a smooth gradient image, all at <paramref name="size"/>.
    /// </summary>
    public static List<Tensor> SampleInputs(Normalization normalization, int size, int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        var result = new List<Tensor>();
        for (int i = 0; i < count; i++)
        {
            var rgb = i == 0
                ? Gradient(size)
                : rand(new long[] { 1, 3, size, size }, generator: generator) * 255f;
            result.Add(normalization.Apply(rgb));
        }
        return result;
    }

    private static Tensor Gradient(int size)
    {
        var ramp = linspace(0, 255, size);
        var r = ramp.view(1, size).expand(size, size);
        var g = ramp.view(size, 1).expand(size, size);
        var b = full(new long[] { size, size }, 128f);
        return stack([r, g, b]).unsqueeze(0);
    }
}
