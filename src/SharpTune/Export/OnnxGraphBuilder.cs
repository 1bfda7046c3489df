using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SharpTune.Export;

/// <summary>
/// Builds an ONNX model with OnnxSharp's protobuf classes: initializers from TorchSharp tensors or arrays, nodes in
/// topological order (the order they are added), typed graph inputs and outputs with fixed or dynamic dimensions, and
/// model metadata. It knows nothing about any architecture: <see cref="ResNetOnnxExporter"/> uses it for ResNets, and
/// other exporters (a BERT encoder: Gather, MatMul, LayerNormalization, …) can use it the same way.
/// Names are checked as they are added: a duplicate value name or an input that nothing produced is a bug in the
/// exporter and throws at once, instead of producing a graph that fails to load later.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>ONNX IR version written (IR 8: ONNX 1.13, opsets up to 18; read by every ONNX Runtime since 1.14).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph called <paramref name="name"/>.</summary>
    public OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>Number of nodes so far.</summary>
    public int NodeCount => _graph.Node.Count;

    /// <summary>Adds a graph input of element type <paramref name="type"/> and shape <paramref name="shape"/>.</summary>
    public string Input(string name, DataType type, params OnnxDim[] shape)
    {
        Define(name);
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares the existing value <paramref name="name"/> a graph output of the given type and shape.</summary>
    public void Output(string name, DataType type, params OnnxDim[] shape)
    {
        Require(name);
        _graph.Output.Add(ValueInfo(name, type, shape));
    }

    /// <summary>Adds a float32 or int64 initializer with the values and shape of <paramref name="value"/> (copied).</summary>
    public string Initializer(string name, Tensor value)
    {
        var shape = value.shape;
        using var cpu = value.detach().cpu().contiguous();
        return cpu.dtype switch
        {
            ScalarType.Float32 => Initializer(name, cpu.data<float>().ToArray(), shape),
            ScalarType.Int64 => Initializer(name, cpu.data<long>().ToArray(), shape),
            _ => throw new ArgumentException($"initializer '{name}': element type {cpu.dtype} is not supported (float32, int64)", nameof(value)),
        };
    }

    /// <summary>Adds a float32 initializer.</summary>
    public string Initializer(string name, float[] values, params long[] dims) =>
        AddInitializer(name, DataType.Float, MemoryMarshal.AsBytes(values.AsSpan()), values.Length, dims);

    /// <summary>Adds an int64 initializer.</summary>
    public string Initializer(string name, long[] values, params long[] dims) =>
        AddInitializer(name, DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), values.Length, dims);

    /// <summary>
    /// Adds a node <paramref name="name"/> of operator <paramref name="opType"/> (default domain) with one output,
    /// also called <paramref name="name"/>; returns the output's name.
    /// </summary>
    public string Node(string name, string opType, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        Node(name, opType, inputs, [name], attributes)[0];

    /// <summary>Adds a node with several outputs; returns their names.</summary>
    public IReadOnlyList<string> Node(string name, string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs,
        params AttributeProto[] attributes)
    {
        // Check everything before changing anything, so that a refused node leaves the graph as it was.
        if (_nodeNames.Contains(name)) throw new InvalidOperationException($"ONNX graph '{_graph.Name}': node name '{name}' used twice");
        foreach (var input in inputs)
            if (input.Length > 0) Require(input); // "" marks an omitted optional input
        foreach (var output in outputs)
        {
            if (string.IsNullOrEmpty(output) || _values.Contains(output) || outputs.Count(o => o == output) > 1)
                throw new InvalidOperationException($"ONNX graph '{_graph.Name}': output '{output}' of node '{name}' is empty or already defined");
        }
        _nodeNames.Add(name);
        foreach (var output in outputs) Define(output);
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    /// <summary>An integer attribute.</summary>
    public static AttributeProto IntAttr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto FloatAttr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>A list-of-integers attribute.</summary>
    public static AttributeProto IntsAttr(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>A string attribute (UTF-8).</summary>
    public static AttributeProto StringAttr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    /// <summary>
    /// The finished model: IR <see cref="IrVersion"/>, the default-domain opset <paramref name="opset"/>, the graph,
    /// and <paramref name="metadata"/> as <c>metadata_props</c>.
    /// </summary>
    public ModelProto ToModel(int opset, string producerVersion, IReadOnlyDictionary<string, string> metadata, string docString)
    {
        if (_graph.Output.Count == 0) throw new InvalidOperationException($"ONNX graph '{_graph.Name}' has no outputs");
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "SharpTune",
            ProducerVersion = producerVersion,
            ModelVersion = 1,
            DocString = docString,
            Graph = _graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private string AddInitializer(string name, DataType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        long expected = dims.Aggregate(1L, (a, b) => a * b);
        if (expected != count) throw new ArgumentException($"initializer '{name}': {count} values do not fill shape [{string.Join(", ", dims)}]");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        Define(name);
        var proto = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(dims);
        _graph.Initializer.Add(proto);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, OnnxDim[] shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var d in shape)
        {
            tensorType.Shape.Dim.Add(d.Name is null
                ? new TensorShapeProto.Types.Dimension { DimValue = d.Size ?? throw new ArgumentException($"'{name}': a dimension needs a size or a name") }
                : new TensorShapeProto.Types.Dimension { DimParam = d.Name });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }

    private void Define(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("ONNX value names must not be empty", nameof(name));
        if (!_values.Add(name)) throw new InvalidOperationException($"ONNX graph '{_graph.Name}': value '{name}' defined twice");
    }

    private void Require(string name)
    {
        if (!_values.Contains(name)) throw new InvalidOperationException($"ONNX graph '{_graph.Name}': '{name}' is used before anything defines it");
    }
}
