using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>Clips the global L2 norm of the gradients to <paramref name="maxNorm"/> before every optimiser step (PyTorch's <c>clip_grad_norm_</c>).</summary>
/// <param name="parameters">The trainable parameters.</param>
/// <param name="maxNorm">Largest allowed norm of all gradients together.</param>
public sealed class GradientClipping(IReadOnlyList<Parameter> parameters, double maxNorm) : ITrainerCallback
{
    /// <summary>Global gradient norm before clipping at the last step.</summary>
    public double LastNorm { get; private set; }

    /// <inheritdoc />
    public void BeforeOptimizerStep(StepProgress progress) => LastNorm = nn.utils.clip_grad_norm_(parameters, maxNorm);
}
