using Microsoft.ML.Tokenizers;

namespace SharpTune.Text;

/// <summary>
/// Turns text into BERT input ids: lower-casing WordPiece (Microsoft.ML.Tokenizers' <c>BertTokenizer</c> on a
/// <c>vocab.txt</c>), truncation to the budget, then <c>[CLS] … [SEP]</c>. Thread-safe.
/// </summary>
public sealed class TextEncoder
{
    private readonly BertTokenizer _tokenizer;

    private TextEncoder(BertTokenizer tokenizer, byte[] vocab)
    {
        _tokenizer = tokenizer;
        Vocabulary = vocab;
    }

    /// <summary>The <c>vocab.txt</c> bytes this encoder was built from (saved beside trained models).</summary>
    public byte[] Vocabulary { get; }

    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PadId => _tokenizer.PaddingTokenId;

    /// <summary>Id of <c>[CLS]</c>.</summary>
    public int ClsId => _tokenizer.ClassificationTokenId;

    /// <summary>Id of <c>[SEP]</c>.</summary>
    public int SepId => _tokenizer.SeparatorTokenId;

    /// <summary>Builds an uncased encoder from the bytes of a <c>vocab.txt</c> (one token per line, id = line index).</summary>
    public static TextEncoder FromVocabulary(byte[] vocab)
    {
        using var stream = new MemoryStream(vocab, writable: false);
        var tokenizer = BertTokenizer.Create(stream, new BertOptions { LowerCaseBeforeTokenization = true });
        return new TextEncoder(tokenizer, vocab);
    }

    /// <summary>Word-piece ids of <paramref name="text"/>, without special tokens.</summary>
    public IReadOnlyList<int> Tokenize(string text) =>
        _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);

    /// <summary>
    /// <c>[CLS] tokens [SEP]</c> with the tokens cut by <paramref name="truncation"/> so that the whole is at most
    /// <paramref name="maxLength"/> ids long.
    /// </summary>
    public int[] Encode(string text, int maxLength, TextTruncation truncation)
    {
        if (maxLength < 2) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must leave room for [CLS] and [SEP]");
        var body = truncation.Apply(Tokenize(text), maxLength - 2);
        var ids = new int[body.Length + 2];
        ids[0] = ClsId;
        body.CopyTo(ids, 1);
        ids[^1] = SepId;
        return ids;
    }
}
