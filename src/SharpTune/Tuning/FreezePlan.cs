using SharpTune.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Tuning;

/// <summary>
/// Applies a <see cref="FreezeLevel"/> to a ResNet and keeps it applied: frozen parameters have
/// <c>requires_grad = false</c>, and <see cref="SetTrainingMode"/> puts frozen parts in eval mode after
/// <c>model.train()</c> so their BatchNorm running statistics stay fixed. With <c>trainBatchNorm</c> (fastai's
/// <c>train_bn</c>), BatchNorm layers inside frozen parts keep training: their weights get gradients and their
/// statistics follow the new data. Creating a plan first unfreezes everything, so plans can follow one another
/// (gradual unfreezing).
/// </summary>
public sealed class FreezePlan
{
    private readonly ResNet _model;
    private readonly List<nn.Module> _frozen;
    private readonly bool _trainBatchNorm;

    /// <summary>Freezes <paramref name="model"/>'s body up to <paramref name="level"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="level">How much of the body to freeze.</param>
    /// <param name="trainBatchNorm">Keep BatchNorm layers of frozen parts training.</param>
    /// <param name="alwaysTrainable">Parameters (by name) that train even inside frozen parts, e.g. LoRA matrices.</param>
    public FreezePlan(ResNet model, FreezeLevel level, bool trainBatchNorm = false, Func<string, bool>? alwaysTrainable = null)
    {
        _model = model;
        _trainBatchNorm = trainBatchNorm;
        Level = level;
        var parts = model.BodyParts.Take(level.FrozenBodyParts()).ToList();
        _frozen = parts.Select(p => p.Module).ToList();
        FrozenNames = parts.Select(p => p.Name).ToList();

        foreach (var p in model.parameters()) p.requires_grad = true;
        foreach (var (partName, part) in parts)
        {
            foreach (var (name, module) in part.named_modules().Prepend(("", part)))
            {
                bool keep = trainBatchNorm && module is BatchNorm2d;
                var prefix = name.Length == 0 ? partName : partName + "." + name;
                foreach (var (pname, p) in module.named_parameters(recurse: false))
                    p.requires_grad = keep || (alwaysTrainable?.Invoke(prefix + "." + pname) ?? false);
            }
        }
    }

    /// <summary>The level applied.</summary>
    public FreezeLevel Level { get; }

    /// <summary>Names of the frozen body parts.</summary>
    public IReadOnlyList<string> FrozenNames { get; }

    /// <summary>Parameters that train (the optimiser gets only these).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters =>
        _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));

    /// <summary>Sets training or evaluation mode, keeping frozen parts (but, with train-bn, not their BatchNorm) in evaluation mode.</summary>
    public void SetTrainingMode(bool training)
    {
        _model.train(training);
        if (!training) return;
        foreach (var part in _frozen)
        {
            part.eval();
            if (!_trainBatchNorm) continue;
            foreach (var (_, module) in part.named_modules().Prepend(("", part)))
                if (module is BatchNorm2d) module.train();
        }
    }
}
