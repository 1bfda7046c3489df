using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace SharpTune.Data;

public sealed partial class ImageLoader
{
    /// <summary>One batch of an epoch being filled: its positions are claimed one sample at a time by any worker.</summary>
    private sealed class BatchSlot(int index, int first, int size)
    {
        public int Index { get; } = index;
        /// <summary>Position of the slot's first sample in the epoch run's order.</summary>
        public int First { get; } = first;
        public int Size { get; } = size;
        public float[]? Buffer;
        public long[] Labels = [];
        public int[] Indices = [];
        public bool[] Ok = [];
        public int Remaining = size;
        public int Count;
        public readonly ConcurrentQueue<(int Position, BadImage Image)> Bad = new();
        public readonly ManualResetEventSlim Done = new(false);

        /// <summary>Takes a buffer and the per-position arrays when the first sample of the batch is claimed.</summary>
        public void Start(float[] buffer)
        {
            Buffer = buffer;
            Labels = new long[Size];
            Indices = new int[Size];
            Ok = new bool[Size];
        }
    }

    /// <summary>
    /// The state of one epoch: workers claim sample positions in order from a shared cursor, never more than
    /// <see cref="LoaderOptions.Prefetch"/> batches ahead of the consumer; whoever finishes a batch's last sample
    /// compacts it (dropping files that failed) and signals it. What a sample becomes depends only on (seed, epoch,
    /// sample index), so the batches are the same whichever worker prepared what.
    /// </summary>
    private sealed class EpochRun
    {
        private readonly ImageLoader _loader;
        private readonly int _epoch;
        private readonly int[] _order;
        private readonly int _total;
        private readonly int[] _batchOf;
        private readonly object _gate = new();
        private int _next;
        private int _consumed;
        private bool _cancelled;
        private Exception? _error;

        public EpochRun(ImageLoader loader, int epoch)
        {
            _loader = loader;
            _epoch = epoch;
            var order = loader.EpochOrder(epoch);
            int size = loader._options.BatchSize;
            int batches = loader.BatchesPerEpoch;
            int total = Math.Min(order.Length, batches * size);
            var shard = loader._options.Shard;
            // Unsharded, the run visits the epoch order as it is; sharded, each global batch contributes this
            // process's contiguous part of it.
            var mine = new List<int>(shard is null ? total : total / shard.Count + batches);
            Batches = new BatchSlot[batches];
            for (int b = 0; b < batches; b++)
            {
                int globalLength = Math.Min(size, total - b * size);
                var (start, length) = shard?.Range(globalLength) ?? (0, globalLength);
                Batches[b] = new BatchSlot(b, mine.Count, length);
                mine.AddRange(order.AsSpan(b * size + start, length));
                if (length == 0) Batches[b].Done.Set(); // nothing of this batch here: an empty slot is complete
            }
            _order = [.. mine];
            _total = _order.Length;
            _batchOf = new int[_total];
            foreach (var slot in Batches) _batchOf.AsSpan(slot.First, slot.Size).Fill(slot.Index);
        }

        public BatchSlot[] Batches { get; }

        /// <summary>Worker thread body.</summary>
        public void Work()
        {
            int prefetch = _loader._options.Prefetch;
            try
            {
                while (true)
                {
                    int k;
                    BatchSlot slot;
                    lock (_gate)
                    {
                        while (!_cancelled && _next < _total && _batchOf[_next] >= _consumed + prefetch) Monitor.Wait(_gate);
                        if (_cancelled || _next >= _total) return;
                        k = _next++;
                        slot = Batches[_batchOf[k]];
                        if (slot.Buffer is null) slot.Start(_loader.RentBuffer());
                    }
                    Fill(slot, k - slot.First, k);
                }
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _error ??= e;
                    _cancelled = true;
                    Monitor.PulseAll(_gate);
                }
                foreach (var slot in Batches) slot.Done.Set();
            }
        }

        /// <summary>Prepares batch <paramref name="b"/> on the calling thread (no workers).</summary>
        public BatchSlot PrepareInline(int b)
        {
            var slot = Batches[b];
            slot.Start(_loader.RentBuffer());
            for (int p = 0; p < slot.Size; p++) Fill(slot, p, slot.First + p);
            return slot;
        }

        /// <summary>Blocks until batch <paramref name="b"/> is complete; rethrows a worker's unexpected failure.</summary>
        public BatchSlot WaitFor(int b)
        {
            var slot = Batches[b];
            slot.Done.Wait();
            lock (_gate)
                if (_error is not null) ExceptionDispatchInfo.Capture(_error).Throw();
            if (Volatile.Read(ref slot.Remaining) > 0)
                throw new ObjectDisposedException(nameof(ImageLoader), "the loader was disposed while an epoch was running");
            return slot;
        }

        /// <summary>The consumer has taken batch <paramref name="b"/>: workers may start one more.</summary>
        public void Consumed(int b)
        {
            lock (_gate)
            {
                _consumed = b + 1;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Stops the workers; with <paramref name="wakeConsumer"/> (loader disposed) also releases a waiting consumer.</summary>
        public void Cancel(bool wakeConsumer = false)
        {
            lock (_gate)
            {
                _cancelled = true;
                Monitor.PulseAll(_gate);
            }
            if (!wakeConsumer) return;
            foreach (var slot in Batches)
            {
                try { slot.Done.Set(); }
                catch (ObjectDisposedException) { }
            }
        }

        /// <summary>After the workers have stopped: returns the buffers of unconsumed batches, frees the events.</summary>
        public void ReturnBuffers()
        {
            foreach (var slot in Batches)
            {
                _loader.ReturnBuffer(slot.Buffer);
                slot.Buffer = null;
                slot.Done.Dispose();
            }
        }

        private void Fill(BatchSlot slot, int position, int k)
        {
            int index = _order[k];
            var sample = _loader._samples[index];
            bool ok = false;
            if (!_loader._knownBad.ContainsKey(sample.Path))
            {
                var rng = SampleRandom.For(_loader._options.Seed, _epoch, index);
                int chw = _loader._chw;
                var reason = _loader._preparer.Prepare(index, sample.Path, rng, slot.Buffer.AsSpan(position * chw, chw));
                if (reason is null) ok = true;
                else
                {
                    var image = new BadImage(sample.Path, reason);
                    if (_loader._knownBad.TryAdd(sample.Path, image)) slot.Bad.Enqueue((position, image));
                }
            }
            slot.Ok[position] = ok;
            slot.Labels[position] = sample.Label;
            slot.Indices[position] = index;
            if (Interlocked.Decrement(ref slot.Remaining) == 0) Complete(slot);
        }

        /// <summary>Moves the successful samples to the front, in order, and signals the batch.</summary>
        private void Complete(BatchSlot slot)
        {
            int chw = _loader._chw, count = 0;
            var buffer = slot.Buffer!;
            for (int p = 0; p < slot.Size; p++)
            {
                if (!slot.Ok[p]) continue;
                if (count != p)
                {
                    buffer.AsSpan(p * chw, chw).CopyTo(buffer.AsSpan(count * chw, chw));
                    slot.Labels[count] = slot.Labels[p];
                    slot.Indices[count] = slot.Indices[p];
                }
                count++;
            }
            slot.Count = count;
            slot.Done.Set();
        }
    }
}
