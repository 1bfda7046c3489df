namespace SharpTune.Export;

/// <summary>One dimension of an ONNX graph input or output: a fixed size or a named, dynamic one (<c>batch</c>).</summary>
/// <param name="Size">Fixed size, or null when <paramref name="Name"/> is set.</param>
/// <param name="Name">Symbolic name of a dynamic dimension, or null for a fixed one.</param>
public readonly record struct OnnxDim(long? Size, string? Name)
{
    /// <summary>A fixed dimension.</summary>
    public static implicit operator OnnxDim(long size) => new(size, null);

    /// <summary>A dynamic dimension called <paramref name="name"/>.</summary>
    public static implicit operator OnnxDim(string name) => new(null, name);
}
