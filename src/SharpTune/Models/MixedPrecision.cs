using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>
/// CPU mixed precision by hand (TorchSharp 0.107 has no autocast): when <see cref="ComputeType"/> is set (bf16),
/// convolutions and linear layers run in that type on casts of the fp32 master weights — the casts are part of the
/// autograd graph, so gradients and optimiser updates stay fp32. Activations stay bf16 between layers, as under
/// PyTorch's CPU autocast: BatchNorm takes bf16 input with its fp32 weights and running statistics (libtorch's
/// mixed-type batch norm computes in fp32), ReLU and residual adds run in bf16, and the classifier returns fp32 for
/// softmax and the loss. (Casting every convolution's output back to fp32 cost 1.45× → 1.7× of fp32 speed; see README.)
/// LoRA updates are computed in fp32. One instance is shared by a model and its blocks, which call it for every convolution,
/// linear layer and BatchNorm, so it is also where BatchNorm is synchronised across processes (<see cref="SyncBatchNormGroup"/>).
/// </summary>
public sealed class MixedPrecision
{
    /// <summary>Lower-precision compute type for convolutions and linear layers; null = plain fp32.</summary>
    public ScalarType? ComputeType { get; set; }

    /// <summary>
    /// Processes whose batches BatchNorm normalises together in training mode (<c>--sync-bn</c>); null or a group of
    /// one = per-process statistics, PyTorch DDP's default.
    /// </summary>
    public Distributed.ICommunicator? SyncBatchNormGroup { get; set; }

    /// <summary>Applies <paramref name="bn"/> to <paramref name="x"/>, with global batch statistics under <see cref="SyncBatchNormGroup"/>.</summary>
    public Tensor Norm(BatchNorm2d bn, Tensor x) =>
        SyncBatchNormGroup is { Size: > 1 } group && bn.training ? Distributed.SyncBatchNorm.Forward(bn, x, group) : bn.call(x);

    /// <summary>Applies <paramref name="conv"/> to <paramref name="x"/> in the compute type.</summary>
    public Tensor Conv(Conv2d conv, Tensor x)
    {
        if (ComputeType is not ScalarType low) return conv.call(x);
        using var scope = NewDisposeScope();
        var y = nn.functional.conv2d(x.to(low), conv.weight!.to(low), conv.bias?.to(low), conv.stride, conv.padding, conv.dilation, conv.groups);
        // This path bypasses the module's forward hooks, so a tuner's update (LoRA …) is added here (in fp32).
        if (ModuleAdapters.Of(conv) is { Applies: true } adapter) y = y + adapter.Update(x.to(ScalarType.Float32));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies a ResNet shortcut, <c>Sequential(("0", Conv2d), ("1", BatchNorm2d))</c>, with its convolution in the
    /// compute type (calling the Sequential itself would bypass this class).
    /// </summary>
    public Tensor Downsample(nn.Module<Tensor, Tensor> downsample, Tensor x)
    {
        using var scope = NewDisposeScope();
        var parts = downsample.children().ToList();
        return Norm((BatchNorm2d)parts[1], Conv((Conv2d)parts[0], x)).MoveToOuterDisposeScope();
    }

    /// <summary>Applies <paramref name="linear"/> to <paramref name="x"/> in the compute type.</summary>
    public Tensor Linear(Linear linear, Tensor x)
    {
        if (ComputeType is not ScalarType low) return linear.call(x);
        using var scope = NewDisposeScope();
        var y = nn.functional.linear(x.to(low), linear.weight!.to(low), linear.bias?.to(low)).to(ScalarType.Float32);
        if (ModuleAdapters.Of(linear) is { Applies: true } adapter) y = y + adapter.Update(x.to(ScalarType.Float32));
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>A model whose convolutions and linear layers can run in a lower compute type (<see cref="MixedPrecision"/>).</summary>
public interface IMixedPrecisionModel
{
    /// <summary>The compute type of its convolutions and linear layers; null = fp32.</summary>
    ScalarType? ComputeType { get; set; }
}
