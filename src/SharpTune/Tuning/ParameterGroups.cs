using SharpTune.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>A named group of parameters with its learning rate.</summary>
/// <param name="Name">Group name (<c>backbone</c>, <c>head</c>, <c>all</c>, or a body part such as <c>layer3</c>).</param>
/// <param name="LearningRate">Learning rate of the group.</param>
/// <param name="Parameters">The trainable parameters in the group.</param>
public sealed record ParameterGroup(string Name, double LearningRate, IReadOnlyList<Parameter> Parameters)
{
    /// <summary>The group's own weight decay; null = the optimiser's.</summary>
    public double? WeightDecay { get; init; }
}

/// <summary>Optimisers SharpTune can build over parameter groups.</summary>
public enum OptimizerKind
{
    /// <summary>SGD (optionally with momentum), PyTorch semantics; L2 weight decay added to the gradient.</summary>
    Sgd,
    /// <summary>AdamW (decoupled weight decay), betas (0.9, 0.99) as fastai.</summary>
    AdamW,
}

/// <summary>Splits trainable parameters into the recipe's groups and builds the optimiser over them.</summary>
public static class ParameterGroups
{
    /// <summary>
    /// Two groups (backbone at <paramref name="lr"/>, head at <paramref name="lr"/> × <paramref name="headLrMult"/>)
    /// or, when <paramref name="separateHead"/> is false, one group at <paramref name="lr"/>. Only parameters that
    /// require gradients are included; empty groups are left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Split(IEnumerable<(string Name, Parameter Parameter)> trainable,
        string classifierPrefix, double lr, double headLrMult, bool separateHead)
    {
        var list = trainable.ToList();
        if (!separateHead) return [new ParameterGroup("all", lr, list.Select(p => p.Parameter).ToList())];
        bool IsHead((string Name, Parameter Parameter) p) => p.Name.StartsWith(classifierPrefix + ".", StringComparison.Ordinal);
        var groups = new List<ParameterGroup>
        {
            new("backbone", lr, list.Where(p => !IsHead(p)).Select(p => p.Parameter).ToList()),
            new("head", lr * headLrMult, list.Where(IsHead).Select(p => p.Parameter).ToList()),
        };
        return groups.Where(g => g.Parameters.Count > 0).ToList();
    }

    /// <summary>Names of the depth groups of a ResNet, from the input to the head: stem, layer1…layer4, head.</summary>
    public static IReadOnlyList<string> DepthGroupNames { get; } = ["stem", "layer1", "layer2", "layer3", "layer4", "head"];

    /// <summary>
    /// fastai's <c>slice(low, high)</c>: one group per depth (stem, layer1…layer4, head) with learning rates spread
    /// geometrically from <paramref name="low"/> (stem) to <paramref name="high"/> (head).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> Discriminative(IEnumerable<(string Name, Parameter Parameter)> trainable,
        string classifierPrefix, double low, double high)
    {
        int last = DepthGroupNames.Count - 1;
        return ByDepth(trainable, classifierPrefix, i => low * Math.Pow(high / low, i / (double)last));
    }

    /// <summary>
    /// timm-style layer-wise decay: the head at <paramref name="lr"/>, each group below it ×<paramref name="decay"/>
    /// (layer4 at lr·ξ, layer3 at lr·ξ², …, stem at lr·ξ⁵).
    /// </summary>
    public static IReadOnlyList<ParameterGroup> LayerDecay(IEnumerable<(string Name, Parameter Parameter)> trainable,
        string classifierPrefix, double lr, double decay)
    {
        int last = DepthGroupNames.Count - 1;
        return ByDepth(trainable, classifierPrefix, i => lr * Math.Pow(decay, last - i));
    }

    private static IReadOnlyList<ParameterGroup> ByDepth(IEnumerable<(string Name, Parameter Parameter)> trainable,
        string classifierPrefix, Func<int, double> lrOfDepth)
    {
        int DepthOf(string name)
        {
            if (name.StartsWith(classifierPrefix + ".", StringComparison.Ordinal)) return DepthGroupNames.Count - 1;
            for (int i = 1; i <= 4; i++)
                if (name.StartsWith($"layer{i}.", StringComparison.Ordinal)) return i;
            return 0; // conv1, bn1
        }
        var byDepth = trainable.GroupBy(p => DepthOf(p.Name)).ToDictionary(g => g.Key, g => g.Select(p => p.Parameter).ToList());
        return Enumerable.Range(0, DepthGroupNames.Count)
            .Where(byDepth.ContainsKey)
            .Select(i => new ParameterGroup(DepthGroupNames[i], lrOfDepth(i), byDepth[i]))
            .ToList();
    }

    /// <summary>Plain SGD (PyTorch semantics) over the groups, each with the same momentum and weight decay.</summary>
    public static SGD CreateSgd(IReadOnlyList<ParameterGroup> groups, double momentum, double weightDecay)
    {
        var sgdGroups = groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: momentum, weight_decay: weightDecay));
        return optim.SGD(sgdGroups, groups[0].LearningRate, momentum: momentum, weight_decay: weightDecay);
    }

    /// <summary>Builds the optimiser of <paramref name="kind"/> over <paramref name="groups"/>.</summary>
    public static OptimizerHelper Create(OptimizerKind kind, IReadOnlyList<ParameterGroup> groups, double momentum, double weightDecay) =>
        kind switch
        {
            OptimizerKind.Sgd => CreateSgd(groups, momentum, weightDecay),
            _ => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, beta1: 0.9, beta2: 0.99, weight_decay: weightDecay)),
                groups[0].LearningRate, beta1: 0.9, beta2: 0.99, weight_decay: weightDecay),
        };
}
