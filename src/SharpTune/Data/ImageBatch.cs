using static TorchSharp.torch;

namespace SharpTune.Data;

/// <summary>
/// One batch from an <see cref="ImageLoader"/>: images [N, 3, H, W] float32 (normalised for the model) and labels
/// [N] int64. The tensors are created on the thread that enumerates the loader, in its current dispose scope (if any);
/// dispose the batch when done with it.
/// </summary>
public sealed class ImageBatch : IDisposable
{
    internal ImageBatch(int index, Tensor images, Tensor labels, int[] sampleIndices)
    {
        Index = index;
        Images = images;
        Labels = labels;
        SampleIndices = sampleIndices;
    }

    /// <summary>Position of the batch in its epoch (0-based).</summary>
    public int Index { get; }

    /// <summary>Images, [N, 3, H, W] float32.</summary>
    public Tensor Images { get; }

    /// <summary>Class indices, [N] int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of images (N); smaller than the batch size at the end of an epoch or when a file failed to decode.</summary>
    public int Count => SampleIndices.Count;

    /// <summary>Index in the loader's sample list of each image, in batch order (to map predictions back to files).</summary>
    public IReadOnlyList<int> SampleIndices { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
