using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Tests.Training;

/// <summary>
/// Two-class 32×32 images whose class is visible (bright vs dark centre plus noise), deterministic per epoch, for
/// training-loop tests with the tiny ResNet.
/// </summary>
public sealed class SyntheticBatchSource(int examples, int batchSize, int seed) : IBatchSource
{
    public int ExampleCount => examples;

    public int BatchesPerEpoch => (examples + batchSize - 1) / batchSize;

    public TimeSpan LastEpochWaitTime => TimeSpan.Zero;

    public IEnumerable<Batch> Epoch(int epoch)
    {
        var generator = new Generator((ulong)(seed * 1000 + epoch));
        for (int start = 0; start < examples; start += batchSize)
        {
            int n = Math.Min(batchSize, examples - start);
            var labels = arange(start, start + n, dtype: ScalarType.Int64).remainder(2);
            var images = randn(new long[] { n, 3, 32, 32 }, generator: generator) * 0.5f;
            var centre = labels.to(ScalarType.Float32).mul(2).sub(1).view(n, 1, 1, 1) * 1.5f;
            images[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(8, 24), TensorIndex.Slice(8, 24)].add_(centre);
            yield return new Batch(images, labels);
        }
    }
}
