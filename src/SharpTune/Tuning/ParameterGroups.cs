using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>A named group of parameters with its learning rate.</summary>
/// <param name="Name">Group name (<c>backbone</c>, <c>head</c> or <c>all</c>).</param>
/// <param name="LearningRate">Learning rate of the group.</param>
/// <param name="Parameters">The trainable parameters in the group.</param>
public sealed record ParameterGroup(string Name, double LearningRate, IReadOnlyList<Parameter> Parameters)
{
    /// <summary>The group's own weight decay; null = the optimiser's.</summary>
    public double? WeightDecay { get; init; }
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

    /// <summary>Plain SGD (PyTorch semantics) over the groups, each with the same momentum and weight decay.</summary>
    public static SGD CreateSgd(IReadOnlyList<ParameterGroup> groups, double momentum, double weightDecay)
    {
        var sgdGroups = groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: momentum, weight_decay: weightDecay));
        return optim.SGD(sgdGroups, groups[0].LearningRate, momentum: momentum, weight_decay: weightDecay);
    }
}
