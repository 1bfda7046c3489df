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
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Builds the layer for <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, precision);
        intermediate = new BertIntermediate(config, precision);
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

/// <summary>The feed-forward expansion with exact (erf) GELU (HF <c>BertIntermediate</c>: key <c>dense</c>).</summary>
public sealed class BertIntermediate : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear dense;
    private readonly MixedPrecision _precision;
#pragma warning restore IDE1006

    /// <summary>Builds <c>Linear(hidden, intermediate)</c>.</summary>
    public BertIntermediate(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertIntermediate))
    {
        _precision = precision ?? new MixedPrecision();
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return functional.gelu(_precision.Linear(dense, hidden)).MoveToOuterDisposeScope();
    }
}
