using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Export;

/// <summary>Result of comparing a model with a copy rebuilt from its exported files.</summary>
/// <param name="Tensors">State-dict entries compared.</param>
/// <param name="MaxTensorDiff">Largest absolute difference between an exported tensor and the original.</param>
/// <param name="MaxOutputDiff">Largest absolute difference of the logits of the rebuilt model and the original on sample inputs.</param>
public sealed record RoundTripResult(int Tensors, double MaxTensorDiff, double MaxOutputDiff)
{
    /// <summary>The larger of the two differences.</summary>
    public double MaxAbsDiff => Math.Max(MaxTensorDiff, MaxOutputDiff);
}

/// <summary>
/// Checks an exported state dict the way a PyTorch user would use it: read <c>config.json</c>, build the network it
/// describes, load the weights file strictly (every key, every shape), run both on the same inputs.
/// </summary>
public static class StateDictRoundTrip
{
    /// <summary>Compares <paramref name="original"/> with the model rebuilt from <paramref name="weightsFile"/> and its <c>config.json</c>.</summary>
    public static RoundTripResult Check(ResNet original, string weightsFile, IReadOnlyList<Tensor> inputs)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(weightsFile))!, PyTorchConfig.FileName);
        var config = RunJson.Read<PyTorchConfig>(configPath);
        var tensors = StateDictFile.Read(weightsFile);
        using var rebuilt = new ResNet(new(config.Block, config.Layers, config.Widths), config.NumClasses);
        try
        {
            var expected = original.state_dict();
            var missing = expected.Keys.Except(tensors.Keys).ToList();
            var unexpected = tensors.Keys.Except(expected.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new WeightsException($"{weightsFile}: keys differ from the model's: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}]");
            double tensorDiff = 0;
            foreach (var (name, value) in expected)
            {
                var t = tensors[name];
                if (!t.shape.SequenceEqual(value.shape) || t.dtype != value.dtype)
                    throw new WeightsException($"{weightsFile}: '{name}' is {t.dtype} [{string.Join(", ", t.shape)}], the model's {value.dtype} [{string.Join(", ", value.shape)}]");
                using var scope = NewDisposeScope();
                var diff = (t.to_type(ScalarType.Float64) - value.to_type(ScalarType.Float64)).abs().max().item<double>();
                tensorDiff = Math.Max(tensorDiff, diff);
            }
            StateDictLoader.Load(rebuilt, tensors, weightsFile, new LoadOptions([]));
            rebuilt.eval();
            original.eval();
            double outputDiff = 0;
            foreach (var input in inputs)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var d = (rebuilt.call(input) - original.call(input)).abs().max().item<float>();
                outputDiff = Math.Max(outputDiff, d);
            }
            return new RoundTripResult(expected.Count, tensorDiff, outputDiff);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
