using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models;

/// <summary>ResNet basic block (two 3×3 convolutions), torchvision's parameter names.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    /// <summary>Output channels relative to the block's width.</summary>
    public const int Expansion = 1;

    // Field names are the state-dict keys: keep them identical to torchvision's.
#pragma warning disable IDE1006
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006
    private readonly MixedPrecision _precision;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="width"/> channels.</summary>
    public BasicBlock(long inChannels, long width, long stride, Module<Tensor, Tensor>? downsample, MixedPrecision? precision = null) : base(nameof(BasicBlock))
    {
        _precision = precision ?? new MixedPrecision();
        conv1 = Conv2d(inChannels, width, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(width);
        conv2 = Conv2d(width, width, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(width);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(_precision.Norm(bn1, _precision.Conv(conv1, input)), inplace: true);
        x = _precision.Norm(bn2, _precision.Conv(conv2, x));
        var identity = downsample is null ? input : _precision.Downsample(downsample, input);
        return functional.relu(x.add_(identity), inplace: true).MoveToOuterDisposeScope();
    }
}
