using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// Refuses to save a model holding NaN or infinite values. A finite training loss does not prove finite weights:
/// BatchNorm's running statistics are buffers the loss never sees (a one-example batch at 1×1 maps makes the running
/// variance NaN while the loss stays finite), and they only show in evaluation and inference.
/// </summary>
public static class FiniteCheck
{
    /// <summary>Throws <see cref="NonFiniteLossException"/> naming the first parameter or buffer with a non-finite value.</summary>
    public static void EnsureFinite(nn.Module model, int epoch)
    {
        foreach (var (name, tensor) in model.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            using var scope = NewDisposeScope();
            if (!tensor.isfinite().all().item<bool>())
                throw new NonFiniteLossException(epoch, $"'{name}' holds NaN or infinite values");
        }
    }
}
