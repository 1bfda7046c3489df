using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// One post-LayerNorm encoder layer: attention block, then feed-forward <c>intermediate.dense</c> + exact GELU and
/// <c>output.dense</c> + residual + <c>output.LayerNorm</c> (HF <c>BertLayer</c>).
/// </summary>
public sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly BertAttention attention;
    private readonly BertDense intermediate;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Builds the layer for <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, precision);
        intermediate = new BertDense(config.HiddenSize, config.IntermediateSize, x => functional.gelu(x), precision);
        output = new BertResidualOutput(config.IntermediateSize, config.HiddenSize, config, precision);
        RegisterComponents();
    }

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hidden, additiveMask);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
