using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>
/// Parameter groups for BERT fine-tuning (Sun et al. 2019): layer-wise learning-rate decay, where the top encoder
/// layer, the pooler and the classifier train at the base rate η and every layer below at ξ times the one above
/// (layer k of L at η·ξ^(L−1−k), the embeddings at η·ξ^L); the classifier at η × head multiplier. Biases and
/// LayerNorm weights get no weight decay (BERT's convention). Groups are named by part, with <c>/no-decay</c>.
/// </summary>
public static class LayerwiseLrDecay
{
    /// <summary>The decay depth of a state-dict key: 0 at the top (classifier, pooler, last layer), L for the embeddings.</summary>
    public static int Depth(string key, int layers)
    {
        if (key.StartsWith("bert.embeddings.", StringComparison.Ordinal)) return layers;
        const string prefix = "bert.encoder.layer.";
        if (key.StartsWith(prefix, StringComparison.Ordinal))
        {
            var rest = key[prefix.Length..];
            return layers - 1 - int.Parse(rest[..rest.IndexOf('.')], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>The part a key belongs to: <c>embeddings</c>, <c>layerK</c> (0-based), <c>pooler</c> or the classifier's name.</summary>
    public static string Part(string key, string classifierName)
    {
        if (key.StartsWith("bert.embeddings.", StringComparison.Ordinal)) return "embeddings";
        if (key.StartsWith("bert.encoder.layer.", StringComparison.Ordinal)) return "layer" + key.Split('.')[3];
        if (key.StartsWith("bert.pooler.", StringComparison.Ordinal)) return "pooler";
        return key.StartsWith(classifierName + ".", StringComparison.Ordinal) ? classifierName : "other";
    }

    /// <summary>True for parameters that get no weight decay (biases and LayerNorm weights).</summary>
    public static bool NoDecay(string key) => key.EndsWith(".bias", StringComparison.Ordinal) || key.Contains("LayerNorm.", StringComparison.Ordinal);

    /// <summary>
    /// Splits <paramref name="trainable"/> into groups. With <paramref name="layerWise"/> false every part trains at
    /// <paramref name="lr"/> (the classifier still at × <paramref name="headLrMult"/>).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Split(IEnumerable<(string Name, Parameter Parameter)> trainable, int layers, string classifierName,
        double lr, double decay, double headLrMult, double weightDecay, bool layerWise = true)
    {
        var groups = new List<ParameterGroup>();
        foreach (var part in trainable.GroupBy(p => Part(p.Name, classifierName)).OrderByDescending(g => Depth(g.First().Name, layers)))
        {
            double partLr = part.Key == classifierName ? lr * headLrMult : layerWise ? lr * Math.Pow(decay, Depth(part.First().Name, layers)) : lr;
            foreach (var noDecay in new[] { false, true })
            {
                var members = part.Where(p => NoDecay(p.Name) == noDecay).Select(p => p.Parameter).ToList();
                if (members.Count == 0) continue;
                groups.Add(new ParameterGroup(part.Key + (noDecay ? "/no-decay" : ""), partLr, members) { WeightDecay = noDecay ? 0 : weightDecay });
            }
        }
        return groups;
    }

    /// <summary>AdamW (decoupled weight decay; betas 0.9/0.999, eps 1e-8) over the groups.</summary>
    public static AdamW CreateAdamW(IReadOnlyList<ParameterGroup> groups) =>
        optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, weight_decay: g.WeightDecay ?? 0)),
            groups[0].LearningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8);

    /// <summary>SGD over the groups, each with its own learning rate and weight decay.</summary>
    public static SGD CreateSgd(IReadOnlyList<ParameterGroup> groups, double momentum) =>
        optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: momentum, weight_decay: g.WeightDecay ?? 0)),
            groups[0].LearningRate, momentum: momentum);
}
