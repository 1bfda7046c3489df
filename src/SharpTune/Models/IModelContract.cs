using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>
/// What the engine needs to know of a model to fine-tune it, whatever its family (timm's model contract): the body
/// parts in depth order (what freezing takes from the input up), a depth for every parameter (what discriminative
/// learning rates and layer-wise decay follow), which parameters weight decay leaves alone, the classifier, and the
/// layers LoRA targets by default. Freezing, parameter groups and tuners are written once against this contract.
/// </summary>
public interface IModelContract : IClassifierModel
{
    /// <summary>The body's parts from the input up; freezing <c>backbone</c> freezes all of them.</summary>
    IReadOnlyList<(string Name, nn.Module Module)> BodyParts { get; }

    /// <summary>The accepted freeze targets, from <c>none</c> to <c>backbone</c>.</summary>
    IReadOnlyList<string> FreezeTargets { get; }

    /// <summary>How many of <see cref="BodyParts"/> (from the input) <paramref name="target"/> freezes; null when not a target.</summary>
    int? FrozenPartCount(string target);

    /// <summary>Parameter groups by depth, from the input to the head (discriminative learning rates spread over them).</summary>
    IReadOnlyList<string> DepthGroups { get; }

    /// <summary>The depth group (one of <see cref="DepthGroups"/>) of a parameter, by its state-dict name.</summary>
    string DepthGroupOf(string parameterName);

    /// <summary>Exponent of layer-wise learning-rate decay: 0 for the top (head), growing towards the input.</summary>
    int DecayDepth(string parameterName);

    /// <summary>True for parameters weight decay leaves alone (e.g. BERT's biases and LayerNorm weights).</summary>
    bool ExemptFromWeightDecay(string parameterName);

    /// <summary>The layers LoRA adapts when the user names none (PEFT's <c>target_modules</c> syntax).</summary>
    string DefaultLoraTargets { get; }
}
