using SharpTune.Models.Bert;
using SharpTune.Text;
using static TorchSharp.torch;

namespace SharpTune.Tests.Text;

/// <summary>Tiny BERT shapes and synthetic token data for fast unit tests.</summary>
public static class TinyBert
{
    /// <summary>Hidden 32, 2 layers, 2 heads, vocabulary 100, 64 positions.</summary>
    public static BertConfig Config { get; } = new(VocabSize: 100, HiddenSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 2,
        IntermediateSize: 64, MaxPositionEmbeddings: 64);

    /// <summary>
    /// Two-class documents of varying length (5–20 tokens, so batches are padded): class 0 is mostly token 10, class 1
    /// mostly token 20, with random filler tokens. [CLS] = 1, [SEP] = 2, [PAD] = 0.
    /// </summary>
    public static TextBatchSource Source(int examples, int batchSize, int seed, bool shuffle = true)
    {
        var random = new Random(seed);
        var ids = new List<int[]>();
        var labels = new List<int>();
        for (int i = 0; i < examples; i++)
        {
            int label = i % 2, length = random.Next(5, 21);
            var doc = new int[length];
            doc[0] = 1;
            doc[^1] = 2;
            for (int j = 1; j < length - 1; j++) doc[j] = random.NextDouble() < 0.6 ? 10 + 10 * label : random.Next(30, 100);
            ids.Add(doc);
            labels.Add(label);
        }
        return new TextBatchSource(ids, labels, batchSize, shuffle, seed, padId: 0);
    }

    /// <summary>Token ids [1, n] of a fixed sequence.</summary>
    public static Tensor Ids(params long[] ids) => tensor(ids, [1, ids.Length]);
}
