using System.Text.Json;
using System.Text.Json.Nodes;
using SharpTune.IO;
using SharpTune.Models.Bert;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>A Hugging Face BERT checkpoint read from a folder: its configuration, state dict and (optional) vocabulary.</summary>
/// <param name="Folder">The checkpoint folder.</param>
/// <param name="Config">The architecture from <c>config.json</c>.</param>
/// <param name="Tensors">State dict with <see cref="BertForSequenceClassification"/> keys (<c>bert.*</c>, <c>classifier.*</c>); the caller disposes.</param>
/// <param name="VocabFile">The folder's <c>vocab.txt</c>, or null when it has none.</param>
public sealed record HuggingFaceBert(string Folder, BertConfig Config, Dictionary<string, Tensor> Tensors, string? VocabFile);

/// <summary>
/// Reads and writes Hugging Face BERT checkpoint folders: <c>config.json</c> (model_type bert, exact GELU, absolute
/// positions) plus <c>model.safetensors</c> (or <c>pytorch_model.bin</c>), optionally <c>vocab.txt</c>. Keys of a bare
/// <c>BertModel</c> (<c>embeddings.*</c>, as sentence-transformers saves) and of
/// <c>BertForSequenceClassification</c> (<c>bert.*</c>, <c>classifier.*</c>) are both accepted; old TensorFlow-style
/// <c>LayerNorm.gamma/beta</c> names are renamed.
/// </summary>
public static class HuggingFaceCheckpoint
{
    /// <summary>Configuration file name.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Weights file name written (and read first).</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>PyTorch weights file name read when there is no safetensors file.</summary>
    public const string PyTorchWeightsFile = "pytorch_model.bin";

    /// <summary>Vocabulary file name.</summary>
    public const string VocabFile = "vocab.txt";

    /// <summary>True when <paramref name="folder"/> looks like a checkpoint (has <c>config.json</c>).</summary>
    public static bool IsCheckpoint(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>Reads the checkpoint in <paramref name="folder"/>.</summary>
    /// <exception cref="WeightsException">Missing files, an unsupported configuration or unreadable weights.</exception>
    public static HuggingFaceBert Read(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new WeightsException($"{full}: checkpoint folder not found");
        var config = ReadConfig(Path.Combine(full, ConfigFile));
        var weights = Path.Combine(full, WeightsFile);
        if (!File.Exists(weights)) weights = Path.Combine(full, PyTorchWeightsFile);
        if (!File.Exists(weights)) throw new WeightsException($"{full}: no {WeightsFile} or {PyTorchWeightsFile}");
        var tensors = ToClassifierKeys(StateDictFile.Read(weights));
        var vocab = Path.Combine(full, VocabFile);
        return new HuggingFaceBert(full, config, tensors, File.Exists(vocab) ? vocab : null);
    }

    /// <summary>
    /// Writes <paramref name="stateDict"/> (keys of <see cref="BertForSequenceClassification"/> or of
    /// <see cref="BertModel"/>) as <c>model.safetensors</c> with <c>config.json</c>, and <paramref name="vocab"/> as
    /// <c>vocab.txt</c> when given.
    /// </summary>
    public static void Write(string folder, BertConfig config, IReadOnlyDictionary<string, Tensor> stateDict, byte[]? vocab = null, int numLabels = 0)
    {
        Directory.CreateDirectory(folder);
        StateDictFile.WriteSafetensors(Path.Combine(folder, WeightsFile), stateDict);
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(numLabels > 0 ? "BertForSequenceClassification" : "BertModel"),
            ["model_type"] = "bert",
            ["vocab_size"] = config.VocabSize,
            ["hidden_size"] = config.HiddenSize,
            ["num_hidden_layers"] = config.NumHiddenLayers,
            ["num_attention_heads"] = config.NumAttentionHeads,
            ["intermediate_size"] = config.IntermediateSize,
            ["hidden_act"] = "gelu",
            ["max_position_embeddings"] = config.MaxPositionEmbeddings,
            ["type_vocab_size"] = config.TypeVocabSize,
            ["layer_norm_eps"] = config.LayerNormEps,
            ["hidden_dropout_prob"] = config.HiddenDropoutProb,
            ["attention_probs_dropout_prob"] = config.AttentionProbsDropoutProb,
            ["pad_token_id"] = config.PadTokenId,
            ["position_embedding_type"] = "absolute",
        };
        if (numLabels > 0) json["num_labels"] = numLabels;
        AtomicFile.WriteText(Path.Combine(folder, ConfigFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (vocab is not null) AtomicFile.Write(Path.Combine(folder, VocabFile), s => s.Write(vocab));
    }

    /// <summary>Reads a BERT <c>config.json</c>.</summary>
    /// <exception cref="WeightsException">Missing or malformed file, another architecture, or an unsupported option.</exception>
    public static BertConfig ReadConfig(string path)
    {
        if (!File.Exists(path)) throw new WeightsException($"{path}: config.json not found");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new WeightsException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new WeightsException($"{path}: malformed JSON ({e.Message})", e);
        }
        string? Text(string key) => json[key]?.GetValueKind() == JsonValueKind.String ? json[key]!.GetValue<string>() : null;
        if (Text("model_type") is { } type && type != "bert")
            throw new WeightsException($"{path}: model_type '{type}' is not supported (only bert)");
        if (Text("hidden_act") is { } act && act != "gelu")
            throw new WeightsException($"{path}: hidden_act '{act}' is not supported (SharpTune's BERT uses exact GELU, 'gelu')");
        if (Text("position_embedding_type") is { } pos && pos != "absolute")
            throw new WeightsException($"{path}: position_embedding_type '{pos}' is not supported (only absolute)");
        T Number<T>(string key, T? fallback = null) where T : struct
        {
            var node = json[key];
            if (node is null) return fallback ?? throw new WeightsException($"{path}: '{key}' is missing");
            try { return node.GetValue<T>(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException) { throw new WeightsException($"{path}: '{key}' is not a {(typeof(T) == typeof(int) ? "whole number" : "number")}"); }
        }
        int Int(string key, int? fallback = null) => Number(key, fallback);
        double Double(string key, double fallback) => Number<double>(key, fallback);
        try
        {
            return new BertConfig(Int("vocab_size"), Int("hidden_size"), Int("num_hidden_layers"), Int("num_attention_heads"),
                Int("intermediate_size"), Int("max_position_embeddings", 512), Int("type_vocab_size", 2),
                Double("layer_norm_eps", 1e-12), Double("hidden_dropout_prob", 0.1), Double("attention_probs_dropout_prob", 0.1),
                Int("pad_token_id", 0)).Validated();
        }
        catch (ArgumentException e)
        {
            throw new WeightsException($"{path}: {e.Message}");
        }
    }

    /// <summary>
    /// Renames a BERT state dict to <see cref="BertForSequenceClassification"/> keys: adds the <c>bert.</c> prefix to
    /// bare <c>BertModel</c> keys, renames <c>gamma/beta</c>, drops the <c>position_ids</c> buffer. Takes ownership of
    /// the tensors (dropped ones are disposed).
    /// </summary>
    public static Dictionary<string, Tensor> ToClassifierKeys(Dictionary<string, Tensor> tensors)
    {
        var result = new Dictionary<string, Tensor>(tensors.Count);
        foreach (var (key, value) in tensors)
        {
            var name = key.EndsWith(".gamma", StringComparison.Ordinal) ? key[..^6] + ".weight"
                : key.EndsWith(".beta", StringComparison.Ordinal) ? key[..^5] + ".bias" : key;
            if (name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal) ||
                name.StartsWith("pooler.", StringComparison.Ordinal))
                name = "bert." + name;
            if (name.EndsWith("position_ids", StringComparison.Ordinal))
            {
                value.Dispose();
                continue;
            }
            result[name] = value;
        }
        return result;
    }
}
