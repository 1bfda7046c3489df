using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>Order of the colour channels a model expects in its input tensor.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, most PyTorch weights).</summary>
    Rgb,
    /// <summary>Blue, green, red (Caffe/CNTK-era weights such as the zoo's ResNet-18).</summary>
    Bgr,
}

/// <summary>
/// How raw 8-bit RGB pixels become the input a pretrained model was trained on:
/// <c>x = (pixel / 255 * PixelScale - Mean[c]) / Std[c]</c>, with channels in <see cref="ChannelOrder"/>.
/// It travels with the model's pretrained configuration; nothing else in SharpTune hard-codes it.
/// </summary>
/// <param name="ChannelOrder">Channel order of the model input.</param>
/// <param name="PixelScale">Value of a full-intensity pixel before mean subtraction (1 for 0–1 pixels, 255 for 0–255).</param>
/// <param name="Mean">Per-channel mean, in the model's channel order and pixel scale.</param>
/// <param name="Std">Per-channel standard deviation, in the model's channel order and pixel scale.</param>
public sealed record Normalization(ChannelOrder ChannelOrder, float PixelScale, IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>torchvision's ImageNet convention: RGB, 0–1 pixels, ImageNet mean and standard deviation.</summary>
    public static Normalization ImageNetRgb { get; } =
        new(ChannelOrder.Rgb, 1f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// The CNTK ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18: BGR, 0–255 pixels minus channel means, no
    /// division. The means are the channel averages of the mean image in the package's ResNetPreprocess.onnx (a test
    /// recomputes them from that file).
    /// </summary>
    public static Normalization CntkBgr255 { get; } =
        new(ChannelOrder.Bgr, 255f, [103.06f, 115.90f, 123.15f], [1f, 1f, 1f]);

    /// <summary>Maps an RGB pixel value in 0–255 of RGB channel <paramref name="rgbChannel"/> to the model's input value.</summary>
    public float Apply(int rgbChannel, float pixel255)
    {
        int c = ModelChannelOf(rgbChannel);
        return (pixel255 / 255f * PixelScale - Mean[c]) / Std[c];
    }

    /// <summary>Normalises a [N, 3, H, W] tensor of RGB pixels in 0–255 into the model's input.</summary>
    public Tensor Apply(Tensor rgb255)
    {
        using var scope = NewDisposeScope();
        var channels = ChannelOrder == ChannelOrder.Rgb ? rgb255 : rgb255.flip(1);
        var mean = tensor(Mean.ToArray()).view(1, 3, 1, 1);
        var std = tensor(Std.ToArray()).view(1, 3, 1, 1);
        return ((channels * (PixelScale / 255f) - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>Index in the model's input of the given RGB channel (0 = red, 1 = green, 2 = blue).</summary>
    public int ModelChannelOf(int rgbChannel) => ChannelOrder == ChannelOrder.Rgb ? rgbChannel : 2 - rgbChannel;

    /// <inheritdoc />
    public bool Equals(Normalization? other) =>
        other is not null && ChannelOrder == other.ChannelOrder && PixelScale == other.PixelScale &&
        Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ChannelOrder, PixelScale, Mean.Count > 0 ? Mean[0] : 0f);
}
