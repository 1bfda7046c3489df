namespace SharpTune.Data;

/// <summary>
/// Process <paramref name="Index"/> of <paramref name="Count"/> in a data-parallel run: of every global batch it takes
/// one contiguous part, the parts as equal as possible. Augmentation depends only on (seed, epoch, sample), so the
/// union of the parts is exactly the batch a single process would have seen.
/// </summary>
/// <param name="Index">This process's rank.</param>
/// <param name="Count">Number of processes.</param>
public sealed record DataShard(int Index, int Count)
{
    /// <summary>Start and length of this process's part of a global batch of <paramref name="batchLength"/> examples.</summary>
    public (int Start, int Length) Range(int batchLength)
    {
        if (Count < 1 || Index < 0 || Index >= Count) throw new ArgumentOutOfRangeException(nameof(Index), $"shard {Index} of {Count}");
        int start = (int)((long)batchLength * Index / Count);
        int end = (int)((long)batchLength * (Index + 1) / Count);
        return (start, end - start);
    }
}
