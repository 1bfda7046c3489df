using SharpTune.Models.Bert;
using static TorchSharp.torch;

namespace SharpTune.Text;

/// <summary>
/// Sentence embeddings the sentence-transformers way: encode, mean-pool the real tokens' last hidden states,
/// L2-normalise. With all-MiniLM-L6-v2 the cosine of "A man is eating food." and "A man is eating a piece of bread."
/// is 0.755 (the model card's example).
/// </summary>
public static class SentenceEmbedder
{
    /// <summary>Unit-length embeddings [N, hidden] of <paramref name="texts"/> (the caller disposes).</summary>
    public static Tensor Embed(BertModel model, TextEncoder encoder, IReadOnlyList<string> texts, int maxLength = 256)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var samples = texts.Select((t, i) => new TextSample(t, 0, $"text {i}")).ToList();
        var source = TextBatchSource.Create(samples, encoder, maxLength, new TextTruncation(TruncationMode.Head), texts.Count, shuffle: false, seed: 0);
        using var batch = source.Epoch(0).Single();
        var ids = batch.Inputs.select(1, 0);
        var mask = batch.Inputs.select(1, 1);
        var pooled = BertModel.MeanPool(model.call(ids, mask), mask);
        return nn.functional.normalize(pooled, p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>Cosine similarity of two texts' embeddings.</summary>
    public static double Cosine(BertModel model, TextEncoder encoder, string a, string b)
    {
        using var e = Embed(model, encoder, [a, b]);
        using var dot = (e[0] * e[1]).sum();
        return dot.item<float>();
    }
}
