using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// Multi-head scaled dot-product self-attention with separate query, key and value projections (HF
/// <c>BertSelfAttention</c>: keys <c>query</c>, <c>key</c>, <c>value</c>).
/// </summary>
public sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
#pragma warning restore IDE1006
    private readonly int _heads;
    private readonly int _headSize;
    private readonly double _dropout;
    private readonly MixedPrecision _precision;

    /// <summary>Builds the projections for <paramref name="config"/>; <paramref name="precision"/> is the model's (bf16 projections when set).</summary>
    public BertSelfAttention(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertSelfAttention))
    {
        _precision = precision ?? new MixedPrecision();
        query = Linear(config.HiddenSize, config.HiddenSize);
        key = Linear(config.HiddenSize, config.HiddenSize);
        value = Linear(config.HiddenSize, config.HiddenSize);
        _heads = config.NumAttentionHeads;
        _headSize = config.HeadSize;
        _dropout = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <summary>
    /// Attends over <paramref name="hidden"/> [N, L, H]; <paramref name="additiveMask"/> [N, 1, 1, L] holds 0 for
    /// real tokens and a large negative number for padding (see <see cref="BertModel.AdditiveMask"/>).
    /// </summary>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long n = hidden.shape[0], length = hidden.shape[1];
        Tensor Heads(Linear projection) => _precision.Linear(projection, hidden).view(n, length, _heads, _headSize).transpose(1, 2);
        var context = functional.scaled_dot_product_attention(Heads(query), Heads(key), Heads(value), additiveMask,
            p: training ? _dropout : 0.0);
        return context.transpose(1, 2).reshape(n, length, _heads * _headSize).MoveToOuterDisposeScope();
    }
}
