using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// A BERT encoder with Hugging Face's module and parameter names (<c>embeddings.*</c>, <c>encoder.layer.N.*</c>,
/// <c>pooler.dense</c>), so its state dict interoperates with <c>transformers.BertModel</c> checkpoints.
/// <code>
/// using var bert = new BertModel(BertConfig.MiniLmL6);
/// var hidden = bert.call(ids, mask);           // [N, L, 384]
/// var sentence = BertModel.MeanPool(hidden, mask);
/// </code>
/// </summary>
public sealed class BertModel : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Added to attention scores of padding positions (HF uses the dtype's minimum; any large negative works).</summary>
    public const float MaskedScore = -1e9f;

#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertDense pooler;
#pragma warning restore IDE1006

    /// <summary>Builds a randomly initialised encoder (BERT's initialisation: normal(0, 0.02), LayerNorm 1/0).</summary>
    public BertModel(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertModel))
    {
        Precision = precision ?? new MixedPrecision();
        Config = config.Validated();
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config, Precision);
        pooler = new BertDense(config.HiddenSize, config.HiddenSize, x => x.tanh(), Precision);
        RegisterComponents();
        InitializeLikeBert(this);
    }

    /// <summary>The architecture's shape.</summary>
    public BertConfig Config { get; }

    /// <summary>The embeddings and the encoder layers, bottom first (for freezing and layer-wise learning rates).</summary>
    public IReadOnlyList<(string Name, Module Module)> BodyParts =>
        [("embeddings", embeddings), .. encoder.Layers.Select((l, i) => ($"encoder.layer.{i}", (Module)l))];

    /// <summary>The compute type of every linear layer (bf16 mixed precision when set; fp32 weights, activations between layers, LayerNorm and softmax).</summary>
    public MixedPrecision Precision { get; }

    /// <summary>The pooler (<c>pooler.dense</c>).</summary>
    public Module Pooler => pooler;

    /// <summary>
    /// Last hidden state [N, L, H] of token ids [N, L] (int64) with attention mask [N, L] (1 = token, 0 = padding).
    /// </summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => Encode(inputIds, attentionMask, null);

    /// <summary>As <see cref="forward"/>, with explicit token types [N, L] (segments; null = all 0).</summary>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var hidden = embeddings.call(inputIds, tokenTypeIds);
        return encoder.call(hidden, AdditiveMask(attentionMask, hidden.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>The pooled output <c>tanh(pooler.dense(h[CLS]))</c> of a last hidden state.</summary>
    public Tensor Pool(Tensor lastHidden) => pooler.call(lastHidden.select(1, 0));

    /// <summary>Mean of the real tokens' vectors (sentence-transformers' pooling): [N, L, H] → [N, H].</summary>
    public static Tensor MeanPool(Tensor lastHidden, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.to(lastHidden.dtype).unsqueeze(-1);
        var summed = (lastHidden * mask).sum(1);
        return (summed / mask.sum(1).clamp_min(1e-9)).MoveToOuterDisposeScope();
    }

    /// <summary>Turns a 0/1 mask [N, L] into additive attention scores [N, 1, 1, L]: 0 for tokens, <see cref="MaskedScore"/> for padding.</summary>
    public static Tensor AdditiveMask(Tensor attentionMask, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var keep = attentionMask.to(dtype).unsqueeze(1).unsqueeze(2);
        return ((1.0f - keep) * MaskedScore).MoveToOuterDisposeScope();
    }

    /// <summary>BERT's initialisation of every Linear, Embedding and LayerNorm below <paramref name="module"/>.</summary>
    public static void InitializeLikeBert(Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Linear linear:
                    init.normal_(linear.weight, 0, 0.02);
                    if (linear.bias is not null) init.zeros_(linear.bias);
                    break;
                case Embedding embedding:
                    init.normal_(embedding.weight, 0, 0.02);
                    break;
                case LayerNorm norm:
                    if (norm.weight is not null) init.ones_(norm.weight);
                    if (norm.bias is not null) init.zeros_(norm.bias);
                    break;
            }
        }
    }
}
