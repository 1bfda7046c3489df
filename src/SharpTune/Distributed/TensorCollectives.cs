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

    /// <summary>The root's string, in every process.</summary>
    public static string BroadcastString(this ICommunicator communicator, string? value)
    {
        if (communicator.Size == 1) return value ?? "";
        var bytes = System.Text.Encoding.UTF8.GetBytes(communicator.Rank == 0 ? value ?? "" : "");
        var length = BitConverter.GetBytes(bytes.Length);
        communicator.Broadcast(length);
        if (communicator.Rank != 0) bytes = new byte[BitConverter.ToInt32(length)];
        communicator.Broadcast(bytes);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    private static void RequireContiguousCpu(Tensor tensor)
    {
        if (!tensor.is_contiguous() || tensor.device_type != DeviceType.CPU)
            throw new ArgumentException("collectives work on contiguous CPU tensors", nameof(tensor));
    }
}
