using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// Self-attention followed by its output projection, dropout, residual and LayerNorm (HF <c>BertAttention</c>: keys
/// <c>self.*</c> and <c>output.dense</c>, <c>output.LayerNorm</c>).
/// </summary>
public sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;
#pragma warning restore IDE1006

    /// <summary>Builds the block for <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config, precision);
        output = new BertResidualOutput(config.HiddenSize, config.HiddenSize, config, precision);
        RegisterComponents();
    }

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        return output.call(self.call(hidden, additiveMask), hidden).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// <c>LayerNorm(residual + dropout(dense(x)))</c>: HF's <c>BertSelfOutput</c> and <c>BertOutput</c> (keys
/// <c>dense</c>, <c>LayerNorm</c>).
/// </summary>
public sealed class BertResidualOutput : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006
    private readonly MixedPrecision _precision;

    /// <summary>Projects <paramref name="inFeatures"/> to <paramref name="outFeatures"/> (= hidden size).</summary>
    public BertResidualOutput(int inFeatures, int outFeatures, BertConfig config, MixedPrecision? precision = null) : base(nameof(BertResidualOutput))
    {
        _precision = precision ?? new MixedPrecision();
        dense = Linear(inFeatures, outFeatures);
        LayerNorm = nn.LayerNorm(outFeatures, eps: config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>Projects <paramref name="x"/> and adds it to <paramref name="residual"/>.</summary>
    public override Tensor forward(Tensor x, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(dropout.call(_precision.Linear(dense, x)) + residual).MoveToOuterDisposeScope();
    }
}
