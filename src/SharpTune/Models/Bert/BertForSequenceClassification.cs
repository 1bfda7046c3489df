using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// BERT with a linear classification head (HF <c>BertForSequenceClassification</c>: keys <c>bert.*</c>,
/// <c>classifier.weight/bias</c>). Its input is one int64 tensor, so that the data-agnostic trainer can feed it:
/// either token ids [N, L] (padding = <see cref="BertConfig.PadTokenId"/>), or ids and attention mask stacked as
/// [N, 2, L] (see <see cref="Pack"/>).
/// </summary>
public sealed class BertForSequenceClassification : Module<Tensor, Tensor>, IModelContract, IMixedPrecisionModel
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly BertModel bert;
    private readonly Dropout dropout;
    private Linear classifier;
#pragma warning restore IDE1006

    /// <summary>Builds a randomly initialised classifier of <paramref name="numClasses"/> classes.</summary>
    public BertForSequenceClassification(BertConfig config, int numClasses, TextPooling pooling) : base(nameof(BertForSequenceClassification))
    {
        bert = new BertModel(config);
        dropout = Dropout(config.HiddenDropoutProb);
        classifier = Linear(config.HiddenSize, numClasses);
        Pooling = pooling;
        RegisterComponents();
        BertModel.InitializeLikeBert(classifier);
    }

    /// <summary>bf16 (or another type) for every linear layer, on casts of the fp32 weights; null = fp32.</summary>
    public ScalarType? ComputeType
    {
        get => bert.Precision.ComputeType;
        set => bert.Precision.ComputeType = value;
    }

    /// <summary>The encoder.</summary>
    public BertModel Bert => bert;

    /// <summary>How token vectors become the text's vector.</summary>
    public TextPooling Pooling { get; }

    /// <inheritdoc />
    public int NumFeatures => bert.Config.HiddenSize;

    /// <inheritdoc />
    public int NumClasses => (int)classifier.out_features;

    /// <inheritdoc />
    public string ClassifierName => nameof(classifier);

    /// <inheritdoc />
    public Module<Tensor, Tensor> Classifier => classifier;

    /// <summary>State-dict keys of the head.</summary>
    public static IReadOnlyList<string> ClassifierKeys { get; } = ["classifier.weight", "classifier.bias"];

    /// <summary>The body parts in order (<c>bert.embeddings</c>, <c>bert.encoder.layer.0</c>, …), state-dict prefixes included.</summary>
    public IReadOnlyList<(string Name, Module Module)> BodyParts =>
        [.. bert.BodyParts.Select(p => ("bert." + p.Name, p.Module)), ("bert.pooler", bert.Pooler)];

    /// <summary><c>none</c>; <c>embeddings</c>; <c>layerN</c> = the embeddings and the N lowest layers; <c>backbone</c> = the encoder and the pooler.</summary>
    public IReadOnlyList<string> FreezeTargets => FreezeTargetsFor(bert.Config.NumHiddenLayers);

    /// <inheritdoc />
    public int? FrozenPartCount(string target) => FrozenPartCountFor(target, bert.Config.NumHiddenLayers);

    /// <summary>The freeze targets of a BERT of <paramref name="layers"/> layers (for checking options before it is built).</summary>
    public static IReadOnlyList<string> FreezeTargetsFor(int layers) =>
        ["none", "embeddings", .. Enumerable.Range(1, layers).Select(i => $"layer{i}"), "backbone"];

    /// <summary>How many body parts (embeddings, layers, pooler) <paramref name="target"/> freezes in a BERT of <paramref name="layers"/> layers.</summary>
    public static int? FrozenPartCountFor(string target, int layers)
    {
        var t = target.Trim().ToLowerInvariant();
        if (t == "none") return 0;
        if (t == "embeddings") return 1;
        if (t == "backbone") return layers + 2;
        if (t.StartsWith("layer", StringComparison.Ordinal) && int.TryParse(t[5..], out int n) && n >= 1 && n <= layers) return n + 1;
        return null;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DepthGroups =>
        ["embeddings", .. Enumerable.Range(0, bert.Config.NumHiddenLayers).Select(i => $"layer{i}"), "pooler", ClassifierName];

    /// <summary>The part a key belongs to: <c>embeddings</c>, <c>layerK</c> (0-based), <c>pooler</c> or the classifier's name.</summary>
    public string DepthGroupOf(string parameterName)
    {
        if (parameterName.StartsWith("bert.embeddings.", StringComparison.Ordinal)) return "embeddings";
        if (parameterName.StartsWith("bert.encoder.layer.", StringComparison.Ordinal)) return "layer" + parameterName.Split('.')[3];
        if (parameterName.StartsWith("bert.pooler.", StringComparison.Ordinal)) return "pooler";
        return ClassifierName;
    }

    /// <summary>
    /// Sun et al.'s layer-wise decay: the top encoder layer, the pooler and the classifier at depth 0, layer k of L at
    /// L−1−k, the embeddings at L.
    /// </summary>
    public int DecayDepth(string parameterName)
    {
        int layers = bert.Config.NumHiddenLayers;
        if (parameterName.StartsWith("bert.embeddings.", StringComparison.Ordinal)) return layers;
        const string prefix = "bert.encoder.layer.";
        if (!parameterName.StartsWith(prefix, StringComparison.Ordinal)) return 0;
        var rest = parameterName[prefix.Length..];
        return layers - 1 - int.Parse(rest[..rest.IndexOf('.')], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>BERT's convention: biases and LayerNorm weights get no weight decay.</summary>
    public bool ExemptFromWeightDecay(string parameterName) =>
        parameterName.EndsWith(".bias", StringComparison.Ordinal) || parameterName.Contains("LayerNorm.", StringComparison.Ordinal);

    /// <summary>The query and value projections (Hu et al.'s choice).</summary>
    public string DefaultLoraTargets => "query,value";

    /// <summary>Stacks ids and mask [N, L] into the packed input [N, 2, L].</summary>
    public static Tensor Pack(Tensor inputIds, Tensor attentionMask) => stack([inputIds, attentionMask.to(ScalarType.Int64)], 1);

    /// <inheritdoc />
    public Tensor ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = Unpack(input);
        var hidden = bert.call(ids, mask);
        var features = Pooling == TextPooling.Cls ? bert.Pool(hidden) : BertModel.MeanPool(hidden, mask);
        return features.MoveToOuterDisposeScope();
    }

    /// <summary>Logits [N, classes] of packed ids+mask [N, 2, L] or ids [N, L].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return bert.Precision.Linear(classifier, dropout.call(ForwardFeatures(input))).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void ResetClassifier(int numClasses) => classifier = ClassifierHeads.Replace(this, nameof(classifier), classifier, NumFeatures, numClasses);

    private (Tensor Ids, Tensor Mask) Unpack(Tensor input) => input.dim() switch
    {
        3 when input.shape[1] == 2 => (input.select(1, 0), input.select(1, 1)),
        2 => (input, input.ne(bert.Config.PadTokenId).to(ScalarType.Int64)),
        _ => throw new ArgumentException($"expected token ids [N, L] or packed ids+mask [N, 2, L], got [{string.Join(", ", input.shape)}]"),
    };
}
