using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Distributed;

/// <summary>Collectives on tensors: they work in place on the tensor's own (contiguous, CPU) memory.</summary>
public static class TensorCollectives
{
    /// <summary>Replaces <paramref name="tensor"/> (contiguous float32 or float64, CPU) with its sum over all processes.</summary>
    public static void AllReduceSum(this ICommunicator communicator, Tensor tensor)
    {
        if (communicator.Size == 1) return;
        RequireContiguousCpu(tensor);
        switch (tensor.dtype)
        {
            case ScalarType.Float32: communicator.AllReduceSum(MemoryMarshal.Cast<byte, float>(tensor.bytes)); break;
            case ScalarType.Float64: communicator.AllReduceSum(MemoryMarshal.Cast<byte, double>(tensor.bytes)); break;
            default: throw new ArgumentException($"all-reduce needs float32 or float64, got {tensor.dtype}", nameof(tensor));
        }
    }

    /// <summary>Overwrites <paramref name="tensor"/> (contiguous, CPU, any type) with the root's values.</summary>
    public static void Broadcast(this ICommunicator communicator, Tensor tensor)
    {
        if (communicator.Size == 1) return;
        if (tensor.is_contiguous() && tensor.device_type == DeviceType.CPU)
        {
            communicator.Broadcast(tensor.bytes);
            return;
        }
        using var copy = tensor.contiguous().cpu();
        communicator.Broadcast(copy.bytes);
        using var noGrad = no_grad();
        tensor.copy_(copy);
    }

    /// <summary>Makes every process's parameters and buffers (BatchNorm statistics) equal to the root's.</summary>
    public static void BroadcastState(this ICommunicator communicator, nn.Module model)
    {
        if (communicator.Size == 1) return;
        using var noGrad = no_grad();
        // state_dict() lists parameters and buffers in registration order, identical in every process.
        foreach (var (_, tensor) in model.state_dict()) communicator.Broadcast(tensor);
    }

    /// <summary>Every process's <paramref name="mine"/>, concatenated in rank order, in every process.</summary>
    public static IReadOnlyList<string> AllGather(this ICommunicator communicator, IReadOnlyList<string> mine)
    {
        if (communicator.Size == 1) return mine;
        var all = new List<string>();
        for (int root = 0; root < communicator.Size; root++)
        {
            var bytes = communicator.Rank == root ? System.Text.Encoding.UTF8.GetBytes(string.Join('\n', mine)) : [];
            var length = BitConverter.GetBytes(bytes.Length);
            communicator.Broadcast(length, root);
            if (communicator.Rank != root) bytes = new byte[BitConverter.ToInt32(length)];
            communicator.Broadcast(bytes, root);
            if (bytes.Length > 0) all.AddRange(System.Text.Encoding.UTF8.GetString(bytes).Split('\n'));
        }
        return all;
    }

    private static void RequireContiguousCpu(Tensor tensor)
    {
        if (!tensor.is_contiguous() || tensor.device_type != DeviceType.CPU)
            throw new ArgumentException("collectives work on contiguous CPU tensors", nameof(tensor));
    }
}
