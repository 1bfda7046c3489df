using System.Globalization;
using System.Text.Json;
using SharpTune.Models.Bert;
using SharpTune.Text;
using SharpTune.Training;
using SharpTune.Weights;

namespace SharpTune.Export;

/// <summary>
/// What an exported text classifier's ONNX <c>metadata_props</c> say, so that a consumer knows how to tokenise:
/// <list type="table">
/// <item><term><c>sharptune.metadata_version</c></term><description><c>1</c> (as <see cref="OnnxClassifierMetadata.CurrentVersion"/>).</description></item>
/// <item><term><c>classes</c></term><description>JSON array of class names, in output order.</description></item>
/// <item><term><c>architecture</c>, <c>model</c></term><description><c>bert</c> and the zoo model the run started from.</description></item>
/// <item><term><c>pooling</c></term><description><c>cls</c> (tanh pooler on [CLS]) or <c>mean</c> (mean of the real tokens).</description></item>
/// <item><term><c>max_length</c></term><description>Longest input in tokens, [CLS] and [SEP] included (what the model was trained with).</description></item>
/// <item><term><c>truncation</c></term><description>JSON: <c>mode</c> (<c>head</c>, <c>tail</c>, <c>head_tail</c>) and <c>head_tokens</c> (null = 128/510 of the budget).</description></item>
/// <item><term><c>tokenizer</c></term><description>JSON: <c>type</c> <c>wordpiece</c>, <c>lower_case</c>, <c>vocab_file</c> (beside the .onnx),
/// the special tokens and <c>pad_token_id</c>: ids are <c>[CLS] word-pieces [SEP]</c>, padded with <c>pad_token_id</c> and mask 0.</description></item>
/// <item><term><c>input</c></term><description>JSON: the two inputs <c>input_ids</c>, <c>attention_mask</c> (int64 [batch, sequence]).</description></item>
/// <item><term><c>outputs</c></term><description>JSON array: <c>logits</c> and <c>probabilities</c> (softmax), both [batch, classes].</description></item>
/// </list>
/// </summary>
/// <param name="Classes">Class names in output order.</param>
/// <param name="Model">Zoo model name the run started from.</param>
/// <param name="Pooling">What feeds the classifier.</param>
/// <param name="MaxLength">Longest input in tokens.</param>
/// <param name="Truncation">How longer texts are cut.</param>
/// <param name="VocabFile">File name of the WordPiece vocabulary written beside the ONNX file.</param>
/// <param name="PadTokenId">Id of <c>[PAD]</c>.</param>
public sealed record OnnxTextClassifierMetadata(
    IReadOnlyList<string> Classes,
    string Model,
    TextPooling Pooling,
    int MaxLength,
    TextTruncation Truncation,
    string VocabFile,
    int PadTokenId)
{
    /// <summary>Name of the token-id input.</summary>
    public const string InputIdsName = "input_ids";

    /// <summary>Name of the attention-mask input.</summary>
    public const string AttentionMaskName = "attention_mask";

    /// <summary>The metadata of a text run's model.</summary>
    public static OnnxTextClassifierMetadata For(TextModelInfo info, string vocabFile) =>
        new(info.Classes, info.Model, info.Pooling, info.MaxLength, info.TruncationRule, vocabFile, info.Bert.PadTokenId);

    /// <summary>The <c>metadata_props</c> entries.</summary>
    public IReadOnlyDictionary<string, string> ToProperties() => new Dictionary<string, string>
    {
        [OnnxClassifierMetadata.VersionKey] = OnnxClassifierMetadata.CurrentVersion.ToString(CultureInfo.InvariantCulture),
        ["classes"] = JsonSerializer.Serialize(Classes, RunJson.Compact),
        ["architecture"] = TextModelInfo.BertArchitecture,
        ["model"] = Model,
        ["pooling"] = Pooling.ToString().ToLowerInvariant(),
        ["max_length"] = MaxLength.ToString(CultureInfo.InvariantCulture),
        ["truncation"] = JsonSerializer.Serialize(new TruncationJson(Truncation.Mode, Truncation.HeadTokens), RunJson.Compact),
        ["tokenizer"] = JsonSerializer.Serialize(new TokenizerJson("wordpiece", true, VocabFile, "[CLS]", "[SEP]", "[PAD]", "[UNK]", PadTokenId), RunJson.Compact),
        ["input"] = JsonSerializer.Serialize(new[]
        {
            new InputJson(InputIdsName, "int64", "batch,sequence"),
            new InputJson(AttentionMaskName, "int64", "batch,sequence"),
        }, RunJson.Compact),
        ["outputs"] = JsonSerializer.Serialize(new[] { OnnxClassifierMetadata.LogitsOutput, OnnxClassifierMetadata.ProbabilitiesOutput }, RunJson.Compact),
        ["preprocessing_text"] = Describe(),
    };

    /// <summary>How to turn a text into the graph's inputs, in words (also the ONNX model's doc string).</summary>
    public string Describe() =>
        $"Tokenise with lower-casing WordPiece (BERT uncased) on {VocabFile}, cut the word pieces to {MaxLength - 2} " +
        $"({Truncation.Mode.ToString().ToLowerInvariant()} truncation), add [CLS] before and [SEP] after; feed int64 [batch, sequence] " +
        $"'{InputIdsName}' (padding id {PadTokenId}) and '{AttentionMaskName}' (1 = token, 0 = padding). " +
        $"Pooling: {Pooling.ToString().ToLowerInvariant()}.";

    /// <summary>Reads the metadata of a text classifier from <paramref name="properties"/> (ONNX <c>metadata_props</c>).</summary>
    /// <exception cref="WeightsException">Not a SharpTune text classifier, a newer metadata version, or malformed.</exception>
    public static OnnxTextClassifierMetadata Parse(IReadOnlyDictionary<string, string> properties, string file)
    {
        if (!properties.TryGetValue(OnnxClassifierMetadata.VersionKey, out var version) ||
            version != OnnxClassifierMetadata.CurrentVersion.ToString(CultureInfo.InvariantCulture))
            throw new WeightsException($"{file}: no SharpTune metadata of version {OnnxClassifierMetadata.CurrentVersion}");
        if (properties.GetValueOrDefault("architecture") != TextModelInfo.BertArchitecture)
            throw new WeightsException($"{file}: not a SharpTune text classifier (architecture '{properties.GetValueOrDefault("architecture")}')");
        try
        {
            var classes = JsonSerializer.Deserialize<List<string>>(Get(properties, "classes", file), RunJson.Compact)!;
            var truncation = JsonSerializer.Deserialize<TruncationJson>(Get(properties, "truncation", file), RunJson.Compact)!;
            var tokenizer = JsonSerializer.Deserialize<TokenizerJson>(Get(properties, "tokenizer", file), RunJson.Compact)!;
            var pooling = Enum.Parse<TextPooling>(Get(properties, "pooling", file), ignoreCase: true);
            int maxLength = int.Parse(Get(properties, "max_length", file), NumberStyles.Integer, CultureInfo.InvariantCulture);
            return new OnnxTextClassifierMetadata(classes, properties.GetValueOrDefault("model", "unknown"), pooling, maxLength,
                new TextTruncation(truncation.Mode, truncation.HeadTokens), tokenizer.VocabFile, tokenizer.PadTokenId);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            throw new WeightsException($"{file}: malformed SharpTune text metadata ({e.Message})");
        }
    }

    private static string Get(IReadOnlyDictionary<string, string> properties, string key, string file) =>
        properties.TryGetValue(key, out var value) ? value : throw new WeightsException($"{file}: SharpTune metadata lacks '{key}'");

    private sealed record TruncationJson(TruncationMode Mode, int? HeadTokens);

    private sealed record TokenizerJson(string Type, bool LowerCase, string VocabFile, string ClsToken, string SepToken, string PadToken,
        string UnkToken, int PadTokenId);

    private sealed record InputJson(string Name, string Dtype, string Shape);
}
