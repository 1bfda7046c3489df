using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models;

/// <summary>ResNet bottleneck block (1×1, 3×3 with the stride, 1×1 ×4), torchvision (v1.5) parameter names.</summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels relative to the block's width.</summary>
    public const int Expansion = 4;

#pragma warning disable IDE1006
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Module<Tensor, Tensor>? downsample;
#pragma warning restore IDE1006
    private readonly MixedPrecision _precision;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="width"/>×4 channels.</summary>
    public Bottleneck(long inChannels, long width, long stride, Module<Tensor, Tensor>? downsample, MixedPrecision? precision = null) : base(nameof(Bottleneck))
    {
        _precision = precision ?? new MixedPrecision();
        conv1 = Conv2d(inChannels, width, 1, bias: false);
        bn1 = BatchNorm2d(width);
        conv2 = Conv2d(width, width, 3, stride: stride, padding: 1, bias: false);
        bn2 = BatchNorm2d(width);
        conv3 = Conv2d(width, width * Expansion, 1, bias: false);
        bn3 = BatchNorm2d(width * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(_precision.Norm(bn1, _precision.Conv(conv1, input)), inplace: true);
        x = functional.relu(_precision.Norm(bn2, _precision.Conv(conv2, x)), inplace: true);
        x = _precision.Norm(bn3, _precision.Conv(conv3, x));
        var identity = downsample is null ? input : _precision.Downsample(downsample, input);
        return functional.relu(x.add_(identity), inplace: true).MoveToOuterDisposeScope();
    }
}
