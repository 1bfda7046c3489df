using SharpTune.Text;
using SharpTune.Weights;

namespace SharpTune.Tests.Text;

public class TokenizationTests
{
    private static readonly Lazy<TextEncoder> MiniLm = new(() => TextEncoder.FromVocabulary(MiniLmOnnxWeights.ReadVocab()));

    [Theory]
    [InlineData(TruncationMode.Head, null, new[] { 0, 1, 2, 3, 4, 5 })]
    [InlineData(TruncationMode.Tail, null, new[] { 14, 15, 16, 17, 18, 19 })]
    [InlineData(TruncationMode.HeadTail, 2, new[] { 0, 1, 16, 17, 18, 19 })]
    [InlineData(TruncationMode.HeadTail, 0, new[] { 14, 15, 16, 17, 18, 19 })]
    [InlineData(TruncationMode.HeadTail, 6, new[] { 0, 1, 2, 3, 4, 5 })]
    public void Truncation_keeps_the_head_the_tail_or_both(TruncationMode mode, int? head, int[] expected)
    {
        var tokens = Enumerable.Range(0, 20).ToList();
        Assert.Equal(expected, new TextTruncation(mode, head).Apply(tokens, 6));
        Assert.Equal([0, 1, 2], new TextTruncation(mode, head).Apply([0, 1, 2], 6)); // short texts are untouched
    }

    [Fact]
    public void Head_tail_defaults_to_Sun_et_al_s_share_128_of_510()
    {
        var t = new TextTruncation(TruncationMode.HeadTail);
        Assert.Equal(128, t.HeadFor(510));  // BERT's 512: first 128 + last 382
        Assert.Equal(32, t.HeadFor(126));   // max-length 128: first 32 + last 94
    }

    [Fact]
    public void Encoding_lower_cases_adds_CLS_and_SEP_and_fits_max_length_keeping_head_and_tail()
    {
        var encoder = MiniLm.Value;
        var ids = encoder.Encode("Hello World", 16, new TextTruncation());
        Assert.Equal(encoder.Encode("hello world", 16, new TextTruncation()), ids);
        Assert.Equal([encoder.ClsId, 7592, 2088, encoder.SepId], ids); // bert-base-uncased ids of "hello", "world"
        Assert.Equal(101, encoder.ClsId);
        Assert.Equal(0, encoder.PadId);

        var text = "first " + string.Join(" ", Enumerable.Repeat("middle", 50)) + " last";
        var cut = encoder.Encode(text, 10, new TextTruncation(TruncationMode.HeadTail, HeadTokens: 2));
        Assert.Equal(10, cut.Length);
        var words = encoder.Tokenize("first middle last");
        Assert.Equal(words[0], cut[1]);        // head kept
        Assert.Equal(words[^1], cut[^2]);      // tail kept
        Assert.Equal(encoder.SepId, cut[^1]);
    }

    [Fact]
    public void Batches_pad_to_the_longest_document_with_a_mask()
    {
        var source = new TextBatchSource([[101, 5, 102], [101, 5, 6, 7, 102]], [0, 1], batchSize: 2, shuffle: false, seed: 0, padId: 0);
        using var batch = source.Epoch(0).Single();
        Assert.Equal([2L, 2L, 5L], batch.Inputs.shape);
        Assert.Equal([101L, 5, 102, 0, 0], batch.Inputs[0, 0].data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 0], batch.Inputs[0, 1].data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 1, 1], batch.Inputs[1, 1].data<long>().ToArray());
    }

    [Fact]
    public void Shuffled_epochs_are_deterministic_per_epoch_and_differ_between_epochs()
    {
        static long[] Order(TextBatchSource s, int epoch) => s.Epoch(epoch).SelectMany(b => { using (b) return b.Inputs.select(1, 0)[.., 1].data<long>().ToArray(); }).ToArray();
        var ids = Enumerable.Range(0, 12).Select(i => new[] { 101, 1000 + i, 102 }).ToList();
        var a = new TextBatchSource(ids, ids.Select(_ => 0).ToList(), 4, shuffle: true, seed: 7, padId: 0);
        var b = new TextBatchSource(ids, ids.Select(_ => 0).ToList(), 4, shuffle: true, seed: 7, padId: 0);
        Assert.Equal(Order(a, 1), Order(b, 1));
        Assert.NotEqual(Order(a, 0), Order(a, 1));
    }
}
