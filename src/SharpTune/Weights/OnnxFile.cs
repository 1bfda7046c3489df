using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>Reads ONNX models (OnnxSharp's protobuf classes) and turns their initializers into tensors.</summary>
public static class OnnxFile
{
    /// <summary>Parses an ONNX model file.</summary>
    /// <exception cref="WeightsException">The file is missing or not a valid ONNX model.</exception>
    public static ModelProto Read(string path)
    {
        if (!File.Exists(path)) throw new WeightsException($"{path}: ONNX file not found");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses an ONNX model held in memory; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="WeightsException">Not a valid ONNX model.</exception>
    public static ModelProto Parse(byte[] bytes, string name)
    {
        try
        {
            var model = ModelProto.Parser.ParseFrom(bytes);
            if (model.Graph is null || model.Graph.Node.Count == 0)
                throw new WeightsException($"{name}: ONNX file has no graph (truncated or not an ONNX model)");
            return model;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WeightsException($"{name}: not a valid ONNX file ({e.Message})", e);
        }
    }

    /// <summary>Converts a float initializer into a tensor of the same shape.</summary>
    public static Tensor ToTensor(TensorProto proto, string file)
    {
        if (proto.DataType != (int)TensorProto.Types.DataType.Float)
            throw new WeightsException($"{file}: initializer '{proto.Name}' has data type {proto.DataType}; only float32 is supported");
        var shape = proto.Dims.ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        float[] values;
        if (!proto.RawData.IsEmpty)
        {
            if (proto.RawData.Length != count * sizeof(float))
                throw new WeightsException($"{file}: initializer '{proto.Name}' holds {proto.RawData.Length} bytes, expected {count * sizeof(float)} for shape [{string.Join(", ", shape)}]");
            values = new float[count];
            proto.RawData.Span.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            if (proto.FloatData.Count != count)
                throw new WeightsException($"{file}: initializer '{proto.Name}' holds {proto.FloatData.Count} values, expected {count}");
            values = proto.FloatData.ToArray();
        }
        return tensor(values, shape);
    }
}
