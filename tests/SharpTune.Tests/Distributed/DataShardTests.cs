using SharpTune.Data;
using SharpTune.Distributed;
using SharpTune.Models;
using SharpTune.Tests.Data;
using Xunit;

namespace SharpTune.Tests.Distributed;

/// <summary>Sharding a batch over processes, and the thread budget per process (no MPI needed).</summary>
public class DataShardTests
{
    [Theory]
    [InlineData(16, 2)]
    [InlineData(7, 3)]
    [InlineData(2, 4)]
    public void Shards_partition_every_batch_in_order(int batchLength, int processes)
    {
        int next = 0;
        for (int rank = 0; rank < processes; rank++)
        {
            var (start, length) = new DataShard(rank, processes).Range(batchLength);
            Assert.Equal(next, start);
            Assert.InRange(length, batchLength / processes, batchLength / processes + 1);
            next += length;
        }
        Assert.Equal(batchLength, next);
    }

    [Fact]
    public void Sharded_loaders_together_give_the_unsharded_batches()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b", "c"], 9, 40, 30); // 27 images: batches 8, 8, 8, 3
        var samples = ImageFolder.Open(dir.Path).Train.Samples;
        var transforms = ImageTransforms.TrainD2l(24, Normalization.CntkBgr255);
        List<(float[] Images, int[] Indices)> Epoch(DataShard? shard, int workers)
        {
            using var loader = new ImageLoader(samples, transforms, new LoaderOptions(8, Shuffle: true, Seed: 5, Workers: workers, Shard: shard));
            var batches = new List<(float[], int[])>();
            foreach (var b in loader.Epoch(1))
                using (b)
                    batches.Add((b.Images.data<float>().ToArray(), b.SampleIndices.ToArray()));
            return batches;
        }

        var whole = Epoch(null, 2);
        var parts = new[] { Epoch(new DataShard(0, 2), 2), Epoch(new DataShard(1, 2), 0) };
        Assert.Equal(whole.Count, parts[0].Count);
        Assert.Equal(whole.Count, parts[1].Count);
        for (int b = 0; b < whole.Count; b++)
        {
            Assert.Equal(whole[b].Indices, parts[0][b].Indices.Concat(parts[1][b].Indices));
            Assert.Equal(whole[b].Images, parts[0][b].Images.Concat(parts[1][b].Images));
        }
    }

    [Theory]
    [InlineData(1, 16, 16, 16)] // one process: everything it may use
    [InlineData(2, 16, 16, 8)]  // two unbound processes share the host
    [InlineData(2, 2, 2, 1)]
    [InlineData(4, 1, 16, 1)]   // bound to one core by mpirun: that core
    [InlineData(3, 2, 2, 1)]    // oversubscribed: still one thread each
    public void Threads_per_process_do_not_oversubscribe_the_host(int localProcesses, int affinityCpus, int onlineCpus, int expected) =>
        Assert.Equal(expected, ThreadBudget.CoresFor(localProcesses, affinityCpus, onlineCpus));
}
