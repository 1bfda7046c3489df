using SharpTune.Models;
using TorchSharp;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>
/// Applies a <see cref="FreezeLevel"/> to a ResNet and keeps it applied: frozen parameters have
/// <c>requires_grad = false</c>, and <see cref="SetTrainingMode"/> puts frozen parts in eval mode after
/// <c>model.train()</c> so their BatchNorm running statistics stay fixed.
/// </summary>
public sealed class FreezePlan
{
    private readonly ResNet _model;
    private readonly List<nn.Module> _frozen;

    /// <summary>Freezes <paramref name="model"/>'s body up to <paramref name="level"/>.</summary>
    public FreezePlan(ResNet model, FreezeLevel level)
    {
        _model = model;
        Level = level;
        _frozen = model.BodyParts.Take(level.FrozenBodyParts()).Select(p => p.Module).ToList();
        FrozenNames = model.BodyParts.Take(level.FrozenBodyParts()).Select(p => p.Name).ToList();
        foreach (var part in _frozen)
            foreach (var p in part.parameters())
                p.requires_grad = false;
    }

    /// <summary>The level applied.</summary>
    public FreezeLevel Level { get; }

    /// <summary>Names of the frozen body parts.</summary>
    public IReadOnlyList<string> FrozenNames { get; }

    /// <summary>Parameters that train (the optimiser gets only these).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> TrainableParameters =>
        _model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter));

    /// <summary>Sets training or evaluation mode, keeping frozen parts in evaluation mode.</summary>
    public void SetTrainingMode(bool training)
    {
        _model.train(training);
        if (training) foreach (var part in _frozen) part.eval();
    }
}
