namespace SharpTune.Distributed;

/// <summary>
/// The group of processes one run is spread over (data parallelism): who am I, how many are we, and the few
/// collective operations training needs. Every process must call the same collectives in the same order.
/// <see cref="SingleProcess"/> is the group of one; <see cref="MpiCommunicator"/> is Open MPI's world.
/// </summary>
public interface ICommunicator
{
    /// <summary>This process's index in the group (0 = the root, which writes the run directory).</summary>
    int Rank { get; }

    /// <summary>Number of processes in the group.</summary>
    int Size { get; }

    /// <summary>Processes of the group on this host (for the thread budget).</summary>
    int LocalSize { get; }

    /// <summary>Replaces <paramref name="values"/> with their element-wise sum over all processes.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> with their element-wise sum over all processes.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies process <paramref name="root"/>'s <paramref name="bytes"/> into every process's (same length everywhere).</summary>
    void Broadcast(Span<byte> bytes, int root = 0);

    /// <summary>Waits until every process got here.</summary>
    void Barrier();

    /// <summary>Ends every process of the group now with <paramref name="exitCode"/> (a failed rank must not leave the others waiting).</summary>
    void Abort(int exitCode);
}

/// <summary>The group of one process: collectives are no-ops.</summary>
public sealed class SingleProcess : ICommunicator
{
    /// <summary>The shared instance.</summary>
    public static SingleProcess Instance { get; } = new();

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public int LocalSize => 1;

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values) { }

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values) { }

    /// <inheritdoc />
    public void Broadcast(Span<byte> bytes, int root = 0) { }

    /// <inheritdoc />
    public void Barrier() { }

    /// <inheritdoc />
    public void Abort(int exitCode) => Environment.Exit(exitCode);
}
