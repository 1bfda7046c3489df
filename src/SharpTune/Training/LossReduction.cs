namespace SharpTune.Training;

/// <summary>
/// How per-example losses of a batch are combined before <c>backward()</c>. d2l's fine-tuning chapter sums them, so
/// its learning rate 5e-5 at batch 128 is a step of ~6.4e-3 on a mean loss; <see cref="Sum"/> reproduces that.
/// </summary>
public enum LossReduction
{
    /// <summary>Sum over the batch (d2l; the default).</summary>
    Sum,
    /// <summary>Mean over the batch (PyTorch's default for CrossEntropyLoss).</summary>
    Mean,
}
