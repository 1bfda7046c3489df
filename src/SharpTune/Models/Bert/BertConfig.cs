namespace SharpTune.Models.Bert;

/// <summary>
/// Shape of a BERT encoder, with the meaning (and, in <c>config.json</c>, the names) of Hugging Face's
/// <c>BertConfig</c>. SharpTune implements the standard post-LayerNorm BERT with exact (erf) GELU and absolute
/// position embeddings.
/// </summary>
/// <param name="VocabSize">Rows of the word-embedding table (<c>vocab_size</c>).</param>
/// <param name="HiddenSize">Width of every token representation (<c>hidden_size</c>).</param>
/// <param name="NumHiddenLayers">Encoder layers (<c>num_hidden_layers</c>).</param>
/// <param name="NumAttentionHeads">Attention heads per layer (<c>num_attention_heads</c>); divides <paramref name="HiddenSize"/>.</param>
/// <param name="IntermediateSize">Width of the feed-forward layer (<c>intermediate_size</c>).</param>
/// <param name="MaxPositionEmbeddings">Longest sequence the position embeddings cover (<c>max_position_embeddings</c>).</param>
/// <param name="TypeVocabSize">Token types (segments) (<c>type_vocab_size</c>).</param>
/// <param name="LayerNormEps">Epsilon of every LayerNorm (<c>layer_norm_eps</c>).</param>
/// <param name="HiddenDropoutProb">Dropout on embeddings and sub-layer outputs (<c>hidden_dropout_prob</c>).</param>
/// <param name="AttentionProbsDropoutProb">Dropout on attention probabilities (<c>attention_probs_dropout_prob</c>).</param>
/// <param name="PadTokenId">Id of the padding token (<c>pad_token_id</c>).</param>
public sealed record BertConfig(
    int VocabSize,
    int HiddenSize,
    int NumHiddenLayers,
    int NumAttentionHeads,
    int IntermediateSize,
    int MaxPositionEmbeddings = 512,
    int TypeVocabSize = 2,
    double LayerNormEps = 1e-12,
    double HiddenDropoutProb = 0.1,
    double AttentionProbsDropoutProb = 0.1,
    int PadTokenId = 0)
{
    /// <summary>all-MiniLM-L6-v2: hidden 384, 6 layers, 12 heads × 32, FFN 1536, vocabulary 30,522 (uncased WordPiece).</summary>
    public static BertConfig MiniLmL6 { get; } = new(30522, 384, 6, 12, 1536);

    /// <summary>A tiny BERT on the same vocabulary, for tests: hidden 32, 2 layers, 2 heads, FFN 64.</summary>
    public static BertConfig Tiny { get; } = new(30522, 32, 2, 2, 64);

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>Throws <see cref="ArgumentException"/> when the shape is inconsistent.</summary>
    public BertConfig Validated()
    {
        if (VocabSize < 1 || HiddenSize < 1 || NumHiddenLayers < 1 || NumAttentionHeads < 1 || IntermediateSize < 1 ||
            MaxPositionEmbeddings < 2 || TypeVocabSize < 1)
            throw new ArgumentException($"BERT config has a non-positive size: {this}");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"BERT config: hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        if (PadTokenId < 0 || PadTokenId >= VocabSize)
            throw new ArgumentException($"BERT config: pad_token_id {PadTokenId} is outside the vocabulary of {VocabSize}");
        return this;
    }
}
