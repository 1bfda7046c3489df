using Onnx;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// Turns the initializers of a PyTorch-exported BERT ONNX graph (such as all-MiniLM-L6-v2) into a Hugging Face
/// <c>BertModel</c> state dict. Embeddings, biases, LayerNorms and the pooler keep their HF names in the export; the
/// Linear weights are anonymous (<c>927</c>, …) and stored transposed, [in, out], as MatMul operands. Each is named by
/// following its MatMul to the Add that consumes the product: that Add's other input is the bias
/// <c>X.bias</c>, so the matrix is <c>X.weight</c>, transposed back to PyTorch's [out, in].
/// </summary>
public static class BertOnnxMapper
{
    /// <summary>Buffers of the export that are not parameters (left out).</summary>
    private static readonly string[] Buffers = ["embeddings.position_ids"];

    /// <summary>Maps the graph's float initializers to HF names; <paramref name="source"/> names the model in errors.</summary>
    /// <exception cref="WeightsException">A weight matrix cannot be named, or a name occurs twice.</exception>
    public static Dictionary<string, Tensor> Map(GraphProto graph, string source)
    {
        var initializers = graph.Initializer
            .Where(t => t.DataType == (int)TensorProto.Types.DataType.Float && !Buffers.Contains(t.Name))
            .ToDictionary(t => t.Name);
        var consumers = new Dictionary<string, List<NodeProto>>();
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
                (consumers.TryGetValue(input, out var list) ? list : consumers[input] = []).Add(node);

        var result = new Dictionary<string, Tensor>();
        void Add(string name, Tensor tensor)
        {
            if (!result.TryAdd(name, tensor)) throw new WeightsException($"{source}: two initializers map to '{name}'");
        }

        foreach (var (name, proto) in initializers)
        {
            if (IsHfName(name))
            {
                var t = OnnxFile.ToTensor(proto, source);
                // A Gemm without transB holds its weight [in, out], like MatMul.
                bool gemmInOut = consumers.GetValueOrDefault(name, []).Any(n => n.OpType == "Gemm" && n.Input.Count > 1 && n.Input[1] == name && !TransB(n));
                Add(name, gemmInOut ? Transposed(t) : t);
                continue;
            }
            var matmul = consumers.GetValueOrDefault(name, []).FirstOrDefault(n => n.OpType == "MatMul");
            if (matmul is null || proto.Dims.Count != 2)
                throw new WeightsException($"{source}: initializer '{name}' [{string.Join(", ", proto.Dims)}] is neither an HF-named tensor nor a MatMul weight");
            var add = consumers.GetValueOrDefault(matmul.Output[0], []).FirstOrDefault(n => n.OpType == "Add");
            var bias = add?.Input.FirstOrDefault(i => i != matmul.Output[0]);
            if (bias is null || !bias.EndsWith(".bias", StringComparison.Ordinal))
                throw new WeightsException($"{source}: the MatMul of initializer '{name}' is not followed by an Add of a named bias; cannot name it");
            Add(bias[..^".bias".Length] + ".weight", Transposed(OnnxFile.ToTensor(proto, source)));
        }
        return result;
    }

    private static bool IsHfName(string name) =>
        name.EndsWith(".weight", StringComparison.Ordinal) || name.EndsWith(".bias", StringComparison.Ordinal);

    private static bool TransB(NodeProto gemm) => gemm.Attribute.Any(a => a.Name == "transB" && a.I != 0);

    private static Tensor Transposed(Tensor t)
    {
        using var source = t;
        return source.t().contiguous();
    }
}
