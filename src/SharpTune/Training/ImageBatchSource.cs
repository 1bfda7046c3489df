using SharpTune.Data;

namespace SharpTune.Training;

/// <summary>Adapts an <see cref="ImageLoader"/> to the trainer's <see cref="IBatchSource"/>.</summary>
public sealed class ImageBatchSource(ImageLoader loader, int exampleCount) : IBatchSource
{
    /// <inheritdoc />
    public int ExampleCount => exampleCount;

    /// <inheritdoc />
    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    /// <inheritdoc />
    public TimeSpan LastEpochWaitTime => loader.LastEpochWaitTime;

    /// <inheritdoc />
    public IEnumerable<Batch> Epoch(int epoch)
    {
        foreach (var b in loader.Epoch(epoch)) yield return new Batch(b.Images, b.Labels, b.SampleIndices);
    }
}
