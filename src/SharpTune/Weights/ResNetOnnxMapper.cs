using Onnx;

namespace SharpTune.Weights;

/// <summary>The result of mapping an ONNX ResNet graph onto torchvision names.</summary>
/// <param name="Names">ONNX initializer name → torchvision state-dict key.</param>
/// <param name="Layers">Basic blocks found in each of the four stages.</param>
public sealed record ResNetOnnxMapping(IReadOnlyDictionary<string, string> Names, IReadOnlyList<int> Layers);

/// <summary>
/// Maps the anonymous initializers of an exported ResNet with basic blocks (such as CNTK's ResNet-18) to torchvision
/// names by walking the graph: the first Conv+BatchNormalization is <c>conv1</c>/<c>bn1</c>; every Add closes a
/// block; the convolutions between two Adds belong to that block (3×3 ones are <c>conv1</c>, <c>conv2</c> in order, a
/// 1×1 one is <c>downsample.0</c>); the stage follows from the block's output channels and the index from its order
/// within the stage. BatchNormalization inputs are, in order, weight, bias, running_mean, running_var.
/// </summary>
public static class ResNetOnnxMapper
{
    private static readonly string[] BatchNormKeys = ["weight", "bias", "running_mean", "running_var"];

    /// <summary>Maps the graph's initializers; <paramref name="stageWidths"/> gives the output channels of layer1–4.</summary>
    /// <exception cref="WeightsException">The graph is not a basic-block ResNet of these widths.</exception>
    public static ResNetOnnxMapping Map(GraphProto graph, IReadOnlyList<int> stageWidths, string file)
    {
        var shapes = graph.Initializer.ToDictionary(t => t.Name, t => t.Dims.ToArray());
        var batchNormOf = graph.Node.Where(n => n.OpType == "BatchNormalization").ToDictionary(n => n.Input[0]);
        var names = new Dictionary<string, string>();
        var layers = new int[stageWidths.Count];
        var pending = new List<(NodeProto Conv, NodeProto Bn)>();
        bool stemDone = false;

        foreach (var node in graph.Node)
        {
            if (node.OpType == "Conv")
            {
                if (node.Input.Count > 2) throw new WeightsException($"{file}: convolution '{node.Name}' has a bias; a ResNet's convolutions have none");
                if (!batchNormOf.TryGetValue(node.Output[0], out var bn))
                    throw new WeightsException($"{file}: convolution '{node.Name}' is not followed by BatchNormalization");
                if (!stemDone)
                {
                    AddConvBn(names, node, bn, "conv1", "bn1");
                    stemDone = true;
                }
                else
                {
                    pending.Add((node, bn));
                }
            }
            else if (node.OpType == "Add")
            {
                MapBlock(names, layers, pending, shapes, stageWidths, file);
                pending.Clear();
            }
        }
        if (pending.Count > 0) throw new WeightsException($"{file}: {pending.Count} convolutions after the last residual Add");

        var unmapped = graph.Initializer.Select(t => t.Name).Where(n => !names.ContainsKey(n)).ToList();
        if (unmapped.Count > 0)
            throw new WeightsException($"{file}: {unmapped.Count} initializers are not part of a ResNet body (e.g. '{unmapped[0]}')");
        return new ResNetOnnxMapping(names, layers);
    }

    private static void MapBlock(Dictionary<string, string> names, int[] layers, List<(NodeProto Conv, NodeProto Bn)> convs,
        Dictionary<string, long[]> shapes, IReadOnlyList<int> stageWidths, string file)
    {
        var downsample = convs.Where(c => IsPointwise(shapes[c.Conv.Input[1]])).ToList();
        var main = convs.Where(c => !IsPointwise(shapes[c.Conv.Input[1]])).ToList();
        if (main.Count != 2 || downsample.Count > 1)
            throw new WeightsException($"{file}: a residual block has {main.Count} 3×3 and {downsample.Count} 1×1 convolutions; expected a basic block (2 and at most 1)");

        long outChannels = shapes[main[1].Conv.Input[1]][0];
        int stage = stageWidths.ToList().IndexOf((int)outChannels);
        if (stage < 0) throw new WeightsException($"{file}: a block has {outChannels} output channels, not one of the stage widths {string.Join('/', stageWidths)}");
        string prefix = $"layer{stage + 1}.{layers[stage]}.";
        layers[stage]++;
        AddConvBn(names, main[0].Conv, main[0].Bn, prefix + "conv1", prefix + "bn1");
        AddConvBn(names, main[1].Conv, main[1].Bn, prefix + "conv2", prefix + "bn2");
        if (downsample.Count == 1) AddConvBn(names, downsample[0].Conv, downsample[0].Bn, prefix + "downsample.0", prefix + "downsample.1");
    }

    private static bool IsPointwise(long[] weightShape) => weightShape.Length == 4 && weightShape[2] == 1 && weightShape[3] == 1;

    private static void AddConvBn(Dictionary<string, string> names, NodeProto conv, NodeProto bn, string convName, string bnName)
    {
        names[conv.Input[1]] = convName + ".weight";
        for (int i = 0; i < BatchNormKeys.Length; i++) names[bn.Input[i + 1]] = $"{bnName}.{BatchNormKeys[i]}";
    }
}
