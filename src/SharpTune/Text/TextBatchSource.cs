using SharpTune.Data;
using SharpTune.Models.Bert;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Text;

/// <summary>
/// Batches of encoded documents for the trainer: token ids padded to the longest document of the batch, with the
/// attention mask, packed as one int64 tensor [N, 2, L] (see <see cref="BertForSequenceClassification.Pack"/>).
/// Documents are encoded once, in parallel, when the source is built. With shuffling, the order of epoch e is a
/// permutation seeded by (seed, e), so a resumed run sees the same batches. In a data-parallel run each process takes
/// its contiguous part of every global batch (<see cref="DataShard"/>), and a last training batch with fewer documents
/// than processes is left out (every process decides the same from the sizes alone).
/// </summary>
public sealed class TextBatchSource : IBatchSource
{
    private readonly int[][] _ids;
    private readonly int[] _labels;
    private readonly int _batchSize;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly int _padId;
    private readonly DataShard? _shard;
    private readonly bool _dropShortLast;

    /// <summary>Wraps already encoded documents; with <paramref name="shard"/>, this process's part of every batch.</summary>
    public TextBatchSource(IReadOnlyList<int[]> ids, IReadOnlyList<int> labels, int batchSize, bool shuffle, int seed, int padId, DataShard? shard = null)
    {
        _shard = shard;
        int remainder = ids.Count % batchSize;
        // Only training shuffles; a training batch must give every process at least one document (each takes part
        // in the same collectives per batch). Evaluation needs no such rule: a process may have nothing to evaluate.
        _dropShortLast = shard is not null && shuffle && remainder > 0 && remainder < shard.Count;
        if (ids.Count != labels.Count) throw new ArgumentException("ids and labels differ in length");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        _ids = [.. ids];
        _labels = [.. labels];
        _batchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _padId = padId;
    }

    /// <summary>Encodes <paramref name="samples"/> with <paramref name="encoder"/> (in parallel) and wraps them.</summary>
    public static TextBatchSource Create(IReadOnlyList<TextSample> samples, TextEncoder encoder, int maxLength, TextTruncation truncation,
        int batchSize, bool shuffle, int seed, DataShard? shard = null)
    {
        var ids = new int[samples.Count][];
        Parallel.For(0, samples.Count, i => ids[i] = encoder.Encode(samples[i].Text, maxLength, truncation));
        return new TextBatchSource(ids, samples.Select(s => s.Label).ToList(), batchSize, shuffle, seed, encoder.PadId, shard);
    }

    /// <inheritdoc />
    public int ExampleCount => _ids.Length;

    /// <inheritdoc />
    public int BatchesPerEpoch => _dropShortLast ? _ids.Length / _batchSize : (_ids.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public TimeSpan LastEpochWaitTime => TimeSpan.Zero; // batches are built from memory on the training thread

    /// <summary>Mean encoded length (with [CLS] and [SEP]).</summary>
    public double MeanLength => _ids.Length == 0 ? 0 : _ids.Average(i => i.Length);

    /// <summary>Share of documents that had to be truncated (encoded at <paramref name="maxLength"/>).</summary>
    public double TruncatedShare(int maxLength) => _ids.Length == 0 ? 0 : _ids.Count(i => i.Length >= maxLength) / (double)_ids.Length;

    /// <inheritdoc />
    public IEnumerable<Batch> Epoch(int epoch)
    {
        var order = Enumerable.Range(0, _ids.Length).ToArray();
        if (_shuffle) new Random(unchecked(_seed * 1_000_003 + epoch)).Shuffle(order);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            int start = b * _batchSize;
            var members = order.AsSpan(start, Math.Min(_batchSize, order.Length - start)).ToArray();
            if (_shard is not null)
            {
                var (from, length) = _shard.Range(members.Length);
                members = members.AsSpan(from, length).ToArray();
                if (members.Length == 0) continue; // evaluation only: nothing of this batch is this process's
            }
            yield return Build(members);
        }
    }

    /// <summary>The packed [N, 2, L] input and labels of documents <paramref name="members"/>.</summary>
    private Batch Build(int[] members)
    {
        int n = members.Length, length = members.Max(m => _ids[m].Length);
        var packed = new long[n * 2 * length];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            var ids = _ids[members[i]];
            int idsAt = i * 2 * length, maskAt = idsAt + length;
            for (int j = 0; j < length; j++)
            {
                bool real = j < ids.Length;
                packed[idsAt + j] = real ? ids[j] : _padId;
                packed[maskAt + j] = real ? 1 : 0;
            }
            labels[i] = _labels[members[i]];
        }
        return new Batch(tensor(packed, [n, 2, length]), tensor(labels), members);
    }
}
