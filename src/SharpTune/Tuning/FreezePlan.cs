using SharpTune.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>
/// Freezes a model's body from the input up to and including a target of its contract
/// (<see cref="IModelContract.FreezeTargets"/>: <c>stem</c>…<c>layer4</c> for a ResNet, <c>embeddings</c>,
/// <c>layerN</c> for BERT, <c>backbone</c> for every body part) and keeps it applied: frozen parameters have
/// <c>requires_grad = false</c> and are not given to the optimiser, and <see cref="SetTrainingMode"/> keeps the
/// BatchNorm layers of frozen parts in eval mode, so their running statistics stay fixed. With
/// <c>trainBatchNorm</c> (fastai's <c>train_bn</c>) those BatchNorm layers keep training: weights and statistics.
/// Creating a plan first unfreezes everything, so plans can follow one another (gradual unfreezing).
/// </summary>
public sealed class FreezePlan
{
    private readonly nn.Module _model;
    private readonly List<nn.Module> _frozen;
    private readonly bool _trainBatchNorm;

    /// <summary>Freezes <paramref name="model"/>'s body up to <paramref name="target"/>.</summary>
    /// <param name="model">The model and its contract.</param>
    /// <param name="target">One of the model's <see cref="IModelContract.FreezeTargets"/>.</param>
    /// <param name="trainBatchNorm">Keep BatchNorm layers of frozen parts training.</param>
    /// <param name="alwaysTrainable">Parameters (by name) that train even inside frozen parts, e.g. LoRA matrices.</param>
    /// <exception cref="ArgumentException">A target the model does not have (the message lists the valid ones).</exception>
    public FreezePlan(IModelContract model, string target, bool trainBatchNorm = false, Func<string, bool>? alwaysTrainable = null)
    {
        _model = (nn.Module)model;
        _trainBatchNorm = trainBatchNorm;
        int count = model.FrozenPartCount(target)
            ?? throw new ArgumentException($"'{target}' is not one of {string.Join("|", model.FreezeTargets)}");
        Target = target;
        var parts = model.BodyParts.Take(count).ToList();
        _frozen = parts.Select(p => p.Module).ToList();
        FrozenNames = parts.Select(p => p.Name).ToList();

        foreach (var p in _model.parameters()) p.requires_grad = true;
        foreach (var (partName, part) in parts)
        {
            foreach (var (name, module) in part.named_modules().Prepend(("", part)))
            {
                bool keep = trainBatchNorm && IsBatchNorm(module);
                var prefix = name.Length == 0 ? partName : partName + "." + name;
                foreach (var (pname, p) in module.named_parameters(recurse: false))
                    p.requires_grad = keep || (alwaysTrainable?.Invoke(prefix + "." + pname) ?? false);
            }
        }
    }

    /// <summary>Freezes a ResNet up to <paramref name="level"/>.</summary>
    public FreezePlan(Models.ResNet model, FreezeLevel level, bool trainBatchNorm = false, Func<string, bool>? alwaysTrainable = null)
        : this((IModelContract)model, level.Name(), trainBatchNorm, alwaysTrainable) { }

    /// <summary>The target applied.</summary>
    public string Target { get; }

    /// <summary>Names of the frozen body parts.</summary>
    public IReadOnlyList<string> FrozenNames { get; }

    /// <summary>Parameters that train (the optimiser gets only these).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters =>
        _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));

    /// <summary>Sets training or evaluation mode, keeping the BatchNorm layers of frozen parts (unless train-bn) in evaluation mode.</summary>
    public void SetTrainingMode(bool training)
    {
        _model.train(training);
        if (!training || _trainBatchNorm) return;
        foreach (var part in _frozen)
            foreach (var (_, module) in part.named_modules().Prepend(("", part)))
                if (IsBatchNorm(module)) module.eval();
    }

    private static bool IsBatchNorm(nn.Module module) => module is BatchNorm1d or BatchNorm2d or BatchNorm3d;
}
