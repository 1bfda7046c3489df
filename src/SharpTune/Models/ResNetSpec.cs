namespace SharpTune.Models;

/// <summary>Residual block type of a ResNet.</summary>
public enum ResNetBlock
{
    /// <summary>Two 3×3 convolutions (ResNet-18/34).</summary>
    Basic,
    /// <summary>1×1, 3×3, 1×1 with 4× expansion (ResNet-50 and deeper).</summary>
    Bottleneck,
}

/// <summary>Shape of a ResNet: block type, blocks per stage and stage widths.</summary>
/// <param name="Block">Residual block type.</param>
/// <param name="Layers">Blocks in each of the four stages (layer1–layer4).</param>
/// <param name="Widths">Width of each stage; torchvision uses 64, 128, 256, 512.</param>
public sealed record ResNetSpec(ResNetBlock Block, IReadOnlyList<int> Layers, IReadOnlyList<int> Widths)
{
    private static readonly int[] StandardWidths = [64, 128, 256, 512];

    /// <summary>torchvision resnet18: basic blocks [2,2,2,2].</summary>
    public static ResNetSpec ResNet18 { get; } = new(ResNetBlock.Basic, [2, 2, 2, 2], StandardWidths);

    /// <summary>The CNTK ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18: basic blocks [2,2,2,3].</summary>
    public static ResNetSpec ResNet18Cntk { get; } = new(ResNetBlock.Basic, [2, 2, 2, 3], StandardWidths);

    /// <summary>torchvision resnet34: basic blocks [3,4,6,3].</summary>
    public static ResNetSpec ResNet34 { get; } = new(ResNetBlock.Basic, [3, 4, 6, 3], StandardWidths);

    /// <summary>torchvision resnet50: bottleneck blocks [3,4,6,3].</summary>
    public static ResNetSpec ResNet50 { get; } = new(ResNetBlock.Bottleneck, [3, 4, 6, 3], StandardWidths);

    /// <summary>A tiny ResNet for tests (one basic block per stage, 8–64 channels).</summary>
    public static ResNetSpec Tiny { get; } = new(ResNetBlock.Basic, [1, 1, 1, 1], [8, 16, 32, 64]);

    /// <summary>Channel expansion of the block type.</summary>
    public int Expansion => Block == ResNetBlock.Basic ? BasicBlock.Expansion : Models.Bottleneck.Expansion;

    /// <summary>Width of the pooled features.</summary>
    public int NumFeatures => Widths[^1] * Expansion;

    /// <inheritdoc />
    public bool Equals(ResNetSpec? other) =>
        other is not null && Block == other.Block && Layers.SequenceEqual(other.Layers) && Widths.SequenceEqual(other.Widths);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Block, string.Join(',', Layers), string.Join(',', Widths));
}
