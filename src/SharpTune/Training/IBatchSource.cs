using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>A batch of inputs and integer class labels. Disposing it frees both tensors.</summary>
/// <param name="inputs">Model inputs.</param>
/// <param name="labels">Class indices.</param>
/// <param name="sampleIndices">Dataset index of each example (lets a data-parallel evaluation put results in order); null if unknown.</param>
public sealed class Batch(Tensor inputs, Tensor labels, IReadOnlyList<int>? sampleIndices = null) : IDisposable
{
    /// <summary>Dataset index of each example, when the source knows them.</summary>
    public IReadOnlyList<int>? SampleIndices { get; } = sampleIndices;

    /// <summary>Model inputs, first dimension = examples.</summary>
    public Tensor Inputs { get; } = inputs;

    /// <summary>Class indices (int64), one per example.</summary>
    public Tensor Labels { get; } = labels;

    /// <summary>Examples in the batch.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Where the trainer gets its batches. The trainer knows nothing about images or text: a source yields the batches of
/// an epoch (deterministically for a given epoch, so a resumed run sees the same data) and says how long the consumer
/// waited for them.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of examples in one epoch.</summary>
    int ExampleCount { get; }

    /// <summary>Number of batches in one epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based).</summary>
    IEnumerable<Batch> Epoch(int epoch);

    /// <summary>Time the consumer spent blocked waiting for batches during the last (or current) epoch.</summary>
    TimeSpan LastEpochWaitTime { get; }
}
