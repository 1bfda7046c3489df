namespace SharpTune.Text;

/// <summary>Which tokens of a text longer than the model's budget are kept.</summary>
public enum TruncationMode
{
    /// <summary>The first tokens.</summary>
    Head,
    /// <summary>The last tokens.</summary>
    Tail,
    /// <summary>The first <see cref="TextTruncation.HeadTokens"/> and the last ones (Sun et al. 2019: head 128 + tail 382 of 512).</summary>
    HeadTail,
}

/// <summary>
/// How a token sequence is cut to fit <c>max-length</c> (which counts [CLS] and [SEP]). Sun et al. ("How to Fine-Tune
/// BERT for Text Classification?", 2019) found head+tail best for long documents: keep the first 128 and the last 382
/// of 510 word pieces. With <see cref="HeadTokens"/> null the head gets the same share of any budget (128/510).
/// </summary>
/// <param name="Mode">Which part is kept.</param>
/// <param name="HeadTokens">Tokens kept from the start in <see cref="TruncationMode.HeadTail"/>; null = 128/510 of the budget.</param>
public sealed record TextTruncation(TruncationMode Mode = TruncationMode.HeadTail, int? HeadTokens = null)
{
    /// <summary>Sun et al.'s share of the budget that goes to the head: 128 of 510.</summary>
    public const double SunHeadShare = 128.0 / 510.0;

    /// <summary>Tokens kept from the start when a text of more than <paramref name="budget"/> tokens is cut.</summary>
    public int HeadFor(int budget) => Mode switch
    {
        TruncationMode.Head => budget,
        TruncationMode.Tail => 0,
        _ => Math.Clamp(HeadTokens ?? (int)Math.Round(budget * SunHeadShare), 0, budget),
    };

    /// <summary>Cuts <paramref name="tokens"/> to at most <paramref name="budget"/> tokens.</summary>
    public int[] Apply(IReadOnlyList<int> tokens, int budget)
    {
        if (budget < 0) throw new ArgumentOutOfRangeException(nameof(budget), budget, "must not be negative");
        if (tokens.Count <= budget) return [.. tokens];
        int head = HeadFor(budget), tail = budget - head;
        var kept = new int[budget];
        for (int i = 0; i < head; i++) kept[i] = tokens[i];
        for (int i = 0; i < tail; i++) kept[head + i] = tokens[tokens.Count - tail + i];
        return kept;
    }
}
