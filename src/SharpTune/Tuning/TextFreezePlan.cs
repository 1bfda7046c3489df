using SharpTune.Models.Bert;
using Parameter = TorchSharp.Modules.Parameter;

namespace SharpTune.Tuning;

/// <summary>
/// Freezes the lower part of a BERT classifier: <c>none</c>; <c>embeddings</c>; <c>layerN</c> = the embeddings and
/// the N lowest encoder layers (1-based, like the ResNet stages); <c>backbone</c> = the whole encoder and the pooler
/// (only the classifier trains). Frozen parameters get no gradient and are not given to the optimiser.
/// </summary>
public sealed class TextFreezePlan
{
    private readonly BertForSequenceClassification _model;

    /// <summary>Applies <paramref name="target"/> to <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">A target the model does not have (the message lists the valid ones).</exception>
    public TextFreezePlan(BertForSequenceClassification model, string target)
    {
        _model = model;
        int parts = FrozenParts(target, model.Bert.Config.NumHiddenLayers)
            ?? throw new ArgumentException($"is not one of {string.Join("|", Names(model.Bert.Config.NumHiddenLayers))}");
        var frozen = model.BodyParts.Take(parts).ToList();
        if (parts > model.Bert.Config.NumHiddenLayers) frozen.Add(("bert.pooler", model.Bert.Pooler));
        FrozenNames = frozen.Select(p => p.Name).ToList();
        foreach (var (_, module) in frozen)
            foreach (var p in module.parameters())
                p.requires_grad = false;
    }

    /// <summary>Names of the frozen parts.</summary>
    public IReadOnlyList<string> FrozenNames { get; }

    /// <summary>Parameters that train.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters =>
        _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));

    /// <summary>Sets training or evaluation mode (dropout).</summary>
    public void SetTrainingMode(bool training) => _model.train(training);

    /// <summary>The accepted targets for a BERT of <paramref name="layers"/> layers.</summary>
    public static IReadOnlyList<string> Names(int layers) =>
        ["none", "embeddings", .. Enumerable.Range(1, layers).Select(i => $"layer{i}"), "backbone"];

    /// <summary>How many of the body parts (embeddings, layer 0, …) <paramref name="target"/> freezes, layers + 2 for the backbone (pooler included); null when unknown.</summary>
    public static int? FrozenParts(string target, int layers)
    {
        var t = target.Trim().ToLowerInvariant();
        if (t == "none") return 0;
        if (t == "embeddings") return 1;
        if (t == "backbone") return layers + 2;
        if (t.StartsWith("layer", StringComparison.Ordinal) && int.TryParse(t[5..], out int n) && n >= 1 && n <= layers) return n + 1;
        return null;
    }
}
