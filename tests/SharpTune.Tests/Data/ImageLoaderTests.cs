using SharpTune.Data;
using SharpTune.Models;
using Xunit;
using static TorchSharp.torch;

namespace SharpTune.Tests.Data;

public class ImageLoaderTests
{
    private static (TempDir Dir, ImageFolderSplits Data) Dataset(int perClass = 10, int width = 40, int height = 30)
    {
        var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b", "c"], perClass, width, height);
        return (dir, ImageFolder.Open(dir.Path));
    }

    private static List<(float[] Images, long[] Labels, int[] Indices)> Collect(ImageLoader loader, int epoch)
    {
        var result = new List<(float[], long[], int[])>();
        foreach (var batch in loader.Epoch(epoch))
            using (batch)
                result.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray(), batch.SampleIndices.ToArray()));
        return result;
    }

    [Fact]
    public void BatchesAreNchwFloatWithInt64Labels()
    {
        var (dir, data) = Dataset();
        using var _ = dir;
        var transforms = ImageTransforms.TrainD2l(24, Normalization.CntkBgr255);
        using var loader = new ImageLoader(data.Train.Samples, transforms,
            new LoaderOptions(BatchSize: 8, Shuffle: true, Seed: 3, Workers: 2, Prefetch: 2));
        Assert.Equal(4, loader.BatchesPerEpoch); // 30 samples
        int seen = 0, batches = 0;
        var indices = new List<int>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.Equal(ScalarType.Float32, batch.Images.dtype);
                Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
                Assert.Equal(new long[] { batch.Count, 3, 24, 24 }, batch.Images.shape);
                Assert.Equal(new long[] { batch.Count }, batch.Labels.shape);
                var labels = batch.Labels.data<long>().ToArray();
                var images = batch.Images.data<float>().ToArray();
                for (int i = 0; i < batch.Count; i++)
                {
                    int index = batch.SampleIndices[i];
                    Assert.Equal(data.Train.Samples[index].Label, labels[i]);
                    // Each image is exactly what the transforms make of that file with the sample's own random stream.
                    var expected = transforms.Apply(ImageDecoder.Decode(data.Train.Samples[index].Path), SampleRandom.For(3, 0, index)).Chw;
                    Assert.Equal(expected, images.AsSpan(i * expected.Length, expected.Length).ToArray());
                }
                Assert.Equal(batches, batch.Index);
                seen += batch.Count;
                batches++;
                indices.AddRange(batch.SampleIndices);
            }
        }
        Assert.Equal(30, seen);
        Assert.Equal(4, batches);
        Assert.Equal(Enumerable.Range(0, 30), indices.Order());
        Assert.True(loader.LastEpochWaitTime >= TimeSpan.Zero);
    }

    [Fact]
    public void EpochsAreReproducibleWhateverTheWorkersAndCache()
    {
        var (dir, data) = Dataset(perClass: 6);
        using var _ = dir;
        var transforms = ImageTransforms.TrainD2l(16, Normalization.ImageNetRgb);
        List<(float[], long[], int[])>? reference = null;
        foreach (var (workers, cache) in new[] { (0, 0L), (1, 0L), (2, 0L), (2, 64L << 20), (1, 64L << 20) })
        {
            using var loader = new ImageLoader(data.Train.Samples, transforms,
                new LoaderOptions(BatchSize: 5, Shuffle: true, Seed: 11, Workers: workers, Prefetch: 3, CacheBytes: cache));
            var epoch1 = Collect(loader, 1);
            var again = Collect(loader, 1); // with a cache: now served from it
            reference ??= epoch1;
            Assert.Equal(reference.Count, epoch1.Count);
            for (int b = 0; b < reference.Count; b++)
            {
                Assert.Equal(reference[b].Item1, epoch1[b].Images);
                Assert.Equal(reference[b].Item2, epoch1[b].Labels);
                Assert.Equal(reference[b].Item3, epoch1[b].Indices);
                Assert.Equal(epoch1[b].Images, again[b].Images);
            }
            if (cache > 0) Assert.Equal(18, loader.CachedImages);
        }
    }

    [Fact]
    public void EpochsDifferFromEachOtherAndShuffleFollowsTheSeed()
    {
        var (dir, data) = Dataset(perClass: 6);
        using var _ = dir;
        var options = new LoaderOptions(BatchSize: 18, Shuffle: true, Seed: 5, Workers: 1);
        using var loader = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(16, Normalization.ImageNetRgb), options);
        var e0 = Collect(loader, 0).Single();
        var e1 = Collect(loader, 1).Single();
        Assert.NotEqual(e0.Indices, e1.Indices);
        Assert.Equal(loader.EpochOrder(0), e0.Indices);
        Assert.Equal(Enumerable.Range(0, 18), e0.Indices.Order());

        using var other = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(16, Normalization.ImageNetRgb), options with { Seed = 6 });
        Assert.NotEqual(loader.EpochOrder(0), other.EpochOrder(0));

        using var ordered = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(16, Normalization.ImageNetRgb), options with { Shuffle = false });
        Assert.Equal(Enumerable.Range(0, 18), Collect(ordered, 4).Single().Indices);
    }

    [Fact]
    public void EvaluationOrderAndDropLast()
    {
        var (dir, data) = Dataset(perClass: 7);
        using var _ = dir;
        var eval = ImageTransforms.EvalD2l(16, Normalization.CntkBgr255);
        using var loader = new ImageLoader(data.Test.Samples, eval, new LoaderOptions(8, Shuffle: false, Seed: 0, Workers: 2));
        var batches = Collect(loader, 0);
        Assert.Equal([8, 8, 5], batches.Select(b => b.Indices.Length));
        Assert.Equal(Enumerable.Range(0, 21), batches.SelectMany(b => b.Indices));
        // Evaluation transforms are deterministic: any epoch gives the same values.
        Assert.Equal(batches[0].Images, Collect(loader, 9)[0].Images);

        using var dropping = new ImageLoader(data.Test.Samples, eval, new LoaderOptions(8, Shuffle: false, Seed: 0, Workers: 2, DropLast: true));
        Assert.Equal(2, dropping.BatchesPerEpoch);
        Assert.Equal(2, Collect(dropping, 0).Count);
    }

    [Fact]
    public void AbandonedEpochStopsCleanlyAndTheNextOneWorks()
    {
        var (dir, data) = Dataset(perClass: 10);
        using var _ = dir;
        using var loader = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(16, Normalization.ImageNetRgb),
            new LoaderOptions(BatchSize: 2, Shuffle: true, Seed: 1, Workers: 2, Prefetch: 2));
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            break;
        }
        Assert.Equal(15, Collect(loader, 1).Count);
        // One epoch at a time.
        using var e = loader.Epoch(2).GetEnumerator();
        Assert.True(e.MoveNext());
        e.Current.Dispose();
        Assert.Throws<InvalidOperationException>(() => loader.Epoch(3).GetEnumerator().MoveNext());
    }

    [Fact]
    public void WaitTimeIsMeasuredWhenTheConsumerOutrunsTheWorkers()
    {
        var (dir, data) = Dataset(perClass: 4, width: 300, height: 200);
        using var _ = dir;
        using var loader = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(64, Normalization.ImageNetRgb),
            new LoaderOptions(BatchSize: 4, Shuffle: true, Seed: 1, Workers: 1, Prefetch: 1));
        foreach (var b in loader.Epoch(0)) b.Dispose();
        Assert.True(loader.LastEpochWaitTime > TimeSpan.Zero);
    }

    [Fact]
    public void CacheStoresDownscaledImagesWithinItsBudget()
    {
        var (dir, data) = Dataset(perClass: 4, width: 400, height: 300);
        using var _ = dir;
        var transforms = ImageTransforms.TrainD2l(32, Normalization.ImageNetRgb);
        using var loader = new ImageLoader(data.Train.Samples, transforms,
            new LoaderOptions(BatchSize: 4, Shuffle: true, Seed: 1, Workers: 2, CacheBytes: 1 << 20));
        foreach (var b in loader.Epoch(0)) b.Dispose();
        // Shorter side capped at 2 × 32 = 64 px → 85x64x3 bytes per image: all 12 fit in 1 MiB.
        Assert.Equal(12, loader.CachedImages);
        Assert.InRange(loader.CacheBytesUsed, 12 * 85 * 64 * 3, 12 * (86 * 64 * 3 + 64));

        using var small = new ImageLoader(data.Train.Samples, transforms,
            new LoaderOptions(BatchSize: 4, Shuffle: true, Seed: 1, Workers: 2, CacheBytes: 50_000));
        foreach (var b in small.Epoch(0)) b.Dispose();
        Assert.InRange(small.CachedImages, 1, 3);
        Assert.True(small.CacheBytesUsed <= 50_000);
    }

    [Fact]
    public void TransformsWithoutAFixedSizeAreRefused()
    {
        Assert.Throws<ArgumentException>(() =>
            new ImageLoader([], ImageTransforms.Compose(new Resize(10), new ToTensor()), new LoaderOptions(4, false, 0)));
        Assert.Throws<ArgumentException>(() =>
            new ImageLoader([], ImageTransforms.EvalD2l(8, Normalization.ImageNetRgb), new LoaderOptions(0, false, 0)));
    }
}
