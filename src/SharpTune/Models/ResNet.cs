using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models;

/// <summary>
/// A ResNet (He et al. 2015) with torchvision's module and parameter names (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c>, <c>fc</c>, …), so its state dict interoperates with PyTorch. SharpTune owns this module
/// (TorchVision's keeps its blocks internal and its <c>fc</c> private) to give it the <see cref="IClassifierModel"/>
/// contract.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>, IModelContract, IMixedPrecisionModel
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private Linear fc;
#pragma warning restore IDE1006
    private readonly MixedPrecision _precision = new();

    /// <summary>Builds a randomly initialised ResNet (torchvision's initialisation).</summary>
    public ResNet(ResNetSpec spec, int numClasses) : base(nameof(ResNet))
    {
        Spec = spec;
        long inChannels = spec.Widths[0];
        conv1 = Conv2d(3, inChannels, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(inChannels);
        var stages = new Sequential[4];
        for (int s = 0; s < 4; s++)
        {
            stages[s] = MakeStage(spec, ref inChannels, spec.Widths[s], spec.Layers[s], stride: s == 0 ? 1 : 2, _precision);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        fc = Linear(spec.NumFeatures, numClasses);
        RegisterComponents();
        InitializeLikeTorchvision();
    }

    /// <summary>The architecture's shape.</summary>
    public ResNetSpec Spec { get; }

    /// <summary>
    /// Compute type of convolutions and the classifier: null (fp32) or <see cref="ScalarType.BFloat16"/> for mixed
    /// precision (fp32 master weights, BatchNorm and loss in fp32); see <see cref="MixedPrecision"/>.
    /// </summary>
    public ScalarType? ComputeType
    {
        get => _precision.ComputeType;
        set => _precision.ComputeType = value;
    }

    /// <summary>
    /// Processes whose batches every BatchNorm normalises together while training (<c>--sync-bn</c>); null = per
    /// process. See <see cref="Distributed.SyncBatchNorm"/>.
    /// </summary>
    public Distributed.ICommunicator? SyncBatchNormGroup
    {
        get => _precision.SyncBatchNormGroup;
        set => _precision.SyncBatchNormGroup = value;
    }

    /// <inheritdoc />
    public int NumFeatures => Spec.NumFeatures;

    /// <inheritdoc />
    public int NumClasses => (int)fc.out_features;

    /// <inheritdoc />
    public string ClassifierName => nameof(fc);

    /// <inheritdoc />
    public Module<Tensor, Tensor> Classifier => fc;

    /// <summary>The stem and the four stages, in order (for freezing and parameter groups).</summary>
    public IReadOnlyList<(string Name, Module Module)> BodyParts =>
    [
        ("conv1", conv1), ("bn1", bn1), ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4),
    ];

    /// <inheritdoc />
    public IReadOnlyList<string> FreezeTargets => Tuning.FreezeLevels.Names;

    /// <inheritdoc />
    public int? FrozenPartCount(string target) => Tuning.FreezeLevels.TryParse(target) is { } level ? Tuning.FreezeLevels.FrozenBodyParts(level) : null;

    /// <inheritdoc />
    public IReadOnlyList<string> DepthGroups { get; } = ["stem", "layer1", "layer2", "layer3", "layer4", "head"];

    /// <inheritdoc />
    public string DepthGroupOf(string parameterName)
    {
        if (parameterName.StartsWith(ClassifierName + ".", StringComparison.Ordinal)) return "head";
        for (int i = 1; i <= 4; i++)
            if (parameterName.StartsWith($"layer{i}.", StringComparison.Ordinal)) return $"layer{i}";
        return "stem"; // conv1, bn1
    }

    /// <inheritdoc />
    public int DecayDepth(string parameterName) => DepthGroups.Count - 1 - DepthGroups.ToList().IndexOf(DepthGroupOf(parameterName));

    /// <inheritdoc />
    public bool ExemptFromWeightDecay(string parameterName) => false;

    /// <summary>The 3×3 convolutions of layer4.</summary>
    public string DefaultLoraTargets => @"re:layer4\.\d+\.conv[12]";

    /// <inheritdoc />
    public Tensor ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = functional.relu(_precision.Norm(bn1, _precision.Conv(conv1, ChannelsLast(input))), inplace: true);
        x = functional.max_pool2d(x, 3, 2, 1);
        x = layer4.call(layer3.call(layer2.call(layer1.call(x))));
        x = functional.adaptive_avg_pool2d(x, 1).flatten(1);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same images laid out channels-last (NCHW shape, NHWC strides). oneDNN's convolutions then keep every
    /// activation channels-last, which trains ~1.2× faster on the CPUs measured here (README, Performance); results
    /// differ from the NCHW layout only by float rounding. TorchSharp 0.107 has no memory_format argument, so the layout
    /// comes from a permuted copy (free when the input is already channels-last).
    /// </summary>
    public static Tensor ChannelsLast(Tensor x) => x.dim() == 4 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return _precision.Linear(fc, ForwardFeatures(input)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void ResetClassifier(int numClasses) => fc = ClassifierHeads.Replace(this, nameof(fc), fc, NumFeatures, numClasses);

    private static Sequential MakeStage(ResNetSpec spec, ref long inChannels, long width, int blocks, long stride, MixedPrecision precision)
    {
        long outChannels = width * spec.Expansion;
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        for (int b = 0; b < blocks; b++)
        {
            long blockStride = b == 0 ? stride : 1;
            Module<Tensor, Tensor>? downsample = null;
            if (b == 0 && (blockStride != 1 || inChannels != outChannels))
            {
                downsample = Sequential(
                    ("0", Conv2d(inChannels, outChannels, 1, stride: blockStride, bias: false)),
                    ("1", BatchNorm2d(outChannels)));
            }
            Module<Tensor, Tensor> block = spec.Block == ResNetBlock.Basic
                ? new BasicBlock(inChannels, width, blockStride, downsample, precision)
                : new Bottleneck(inChannels, width, blockStride, downsample, precision);
            modules.Add((b.ToString(System.Globalization.CultureInfo.InvariantCulture), block));
            inChannels = outChannels;
        }
        return Sequential(modules);
    }

    private void InitializeLikeTorchvision()
    {
        using var noGrad = no_grad();
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d bn:
                    init.ones_(bn.weight);
                    init.zeros_(bn.bias);
                    break;
            }
        }
    }
}
