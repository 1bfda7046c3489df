using SharpTune.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>A named group of parameters with its learning rate.</summary>
/// <param name="Name">Group name (<c>backbone</c>, <c>head</c>, <c>all</c>, or a depth group such as <c>layer3</c>; <c>/no-decay</c> for the part weight decay leaves alone).</param>
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
    /// <summary>AdamW (decoupled weight decay); β2 per recipe (fastai 0.99, BERT 0.999).</summary>
    AdamW,
}

/// <summary>How a run spreads learning rates over a model's parameters.</summary>
public enum GroupingKind
{
    /// <summary>One rate for everything (the scratch recipe).</summary>
    One,
    /// <summary>Body at lr, head at lr × head multiplier (d2l).</summary>
    BodyAndHead,
    /// <summary>One group per depth group, rates geometric from LOW (input) to HIGH (head): fastai's <c>slice</c>.</summary>
    Discriminative,
    /// <summary>Layer-wise decay: lr·ξ^depth per depth group (ξ = layer decay), the head × head multiplier.</summary>
    LayerDecay,
}

/// <summary>
/// Splits a model's trainable parameters into the recipe's groups, for any model through its
/// <see cref="IModelContract"/> (depth groups, decay depths, weight-decay exemptions), and builds the optimiser.
/// </summary>
public static class ParameterGroups
{
    /// <summary>The groups of <paramref name="trainable"/> parameters of <paramref name="model"/>.</summary>
    /// <param name="model">The model's contract.</param>
    /// <param name="trainable">Parameters that train, by state-dict name.</param>
    /// <param name="kind">How rates are spread.</param>
    /// <param name="lr">Base rate (HIGH with <see cref="GroupingKind.Discriminative"/>).</param>
    /// <param name="headLrMult">Head multiplier (<see cref="GroupingKind.BodyAndHead"/>, <see cref="GroupingKind.LayerDecay"/>).</param>
    /// <param name="weightDecay">Weight decay of every group but the exempt parameters' (<see cref="IModelContract.ExemptFromWeightDecay"/>).</param>
    /// <param name="lowLr">LOW of <see cref="GroupingKind.Discriminative"/>.</param>
    /// <param name="layerDecay">ξ of <see cref="GroupingKind.LayerDecay"/>.</param>
    public static IReadOnlyList<ParameterGroup> Build(IModelContract model, IEnumerable<(string Name, Parameter Parameter)> trainable,
        GroupingKind kind, double lr, double headLrMult, double weightDecay, double lowLr = 0, double layerDecay = 1)
    {
        var list = trainable.ToList();
        var depthGroups = model.DepthGroups;
        string head = depthGroups[^1];
        int last = depthGroups.Count - 1;
        (string Group, double Lr) Place(string name) => kind switch
        {
            GroupingKind.One => ("all", lr),
            GroupingKind.BodyAndHead => model.DepthGroupOf(name) == head ? ("head", lr * headLrMult) : ("backbone", lr),
            GroupingKind.Discriminative => (model.DepthGroupOf(name),
                lowLr * Math.Pow(lr / lowLr, depthGroups.ToList().IndexOf(model.DepthGroupOf(name)) / (double)last)),
            _ => (model.DepthGroupOf(name), model.DepthGroupOf(name) == head
                ? lr * headLrMult
                : lr * Math.Pow(layerDecay, model.DecayDepth(name))),
        };
        int Order(string group) => group switch { "all" or "backbone" => 0, "head" when kind == GroupingKind.BodyAndHead => 1, _ => depthGroups.ToList().IndexOf(group) };

        var groups = new List<ParameterGroup>();
        foreach (var byGroup in list.GroupBy(p => Place(p.Name).Group).OrderBy(g => Order(g.Key)))
        {
            double groupLr = Place(byGroup.First().Name).Lr;
            foreach (var exempt in new[] { false, true })
            {
                var members = byGroup.Where(p => model.ExemptFromWeightDecay(p.Name) == exempt).Select(p => p.Parameter).ToList();
                if (members.Count == 0) continue;
                groups.Add(new ParameterGroup(byGroup.Key + (exempt ? "/no-decay" : ""), groupLr, members) { WeightDecay = exempt ? 0 : weightDecay });
            }
        }
        return groups;
    }

    /// <summary>
    /// The optimiser of <paramref name="kind"/> over <paramref name="groups"/>, each group with its own rate and weight
    /// decay: SGD with <paramref name="momentum"/>, or AdamW with β1 0.9, β2 <paramref name="beta2"/> and ε 1e-8.
    /// </summary>
    public static OptimizerHelper Create(OptimizerKind kind, IReadOnlyList<ParameterGroup> groups, double momentum, double beta2) =>
        kind switch
        {
            OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, lr: g.LearningRate, momentum: momentum, weight_decay: g.WeightDecay ?? 0)),
                groups[0].LearningRate, momentum: momentum),
            _ => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(g.Parameters, lr: g.LearningRate, beta1: 0.9, beta2: beta2, weight_decay: g.WeightDecay ?? 0)),
                groups[0].LearningRate, beta1: 0.9, beta2: beta2, eps: 1e-8),
        };
}
