namespace SharpTune.Distributed;

/// <summary>
/// Open MPI's <c>MPI_COMM_WORLD</c>: every process started by <c>mpirun -np N</c>. Create it once per process with
/// <see cref="Initialize"/> and dispose it at the end (MPI_Finalize); a process started without <c>mpirun</c> is a world of
/// one. Large buffers are split into calls of at most 2^30 elements (MPI counts are 32-bit).
/// </summary>
public sealed class MpiCommunicator : ICommunicator, IDisposable
{
    private const int MaxCount = 1 << 30;
    private static MpiCommunicator? _current;
    private readonly MpiNative.Handles _h;
    private bool _disposed;

    private MpiCommunicator(MpiNative.Handles handles)
    {
        _h = handles;
        Check(MpiNative.MPI_Comm_rank(_h.World, out int rank), "MPI_Comm_rank");
        Check(MpiNative.MPI_Comm_size(_h.World, out int size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        LocalSize = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int local) && local > 0 ? local : 1;
    }

    /// <summary>
    /// Initialises MPI (thread level SERIALIZED) and returns the world; calling it again in the same process returns
    /// the same world. Throws <see cref="DistributedException"/> when Open MPI is not installed.
    /// </summary>
    public static MpiCommunicator Initialize()
    {
        if (_current is { _disposed: false }) return _current;
        var handles = MpiNative.Handles.Resolve();
        MpiNative.MPI_Finalized(out int finalized);
        if (finalized != 0) throw new DistributedException("--distributed mpi: MPI was already finalised in this process; it can be initialised once");
        MpiNative.MPI_Initialized(out int initialized);
        if (initialized == 0)
            Check(MpiNative.MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread");
        return _current = new MpiCommunicator(handles);
    }

    /// <summary>
    /// This process's rank as the launcher announced it (<c>OMPI_COMM_WORLD_RANK</c>), readable before MPI starts;
    /// 0 outside <c>mpirun</c>.
    /// </summary>
    public static int LauncherRank =>
        int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_RANK"), out int rank) ? rank : 0;

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <inheritdoc />
    public int LocalSize { get; }

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values) =>
        InChunks(values, (p, n) => MpiNative.MPI_Allreduce(MpiNative.InPlace, p, n, _h.Float, _h.Sum, _h.World), "MPI_Allreduce");

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values) =>
        InChunks(values, (p, n) => MpiNative.MPI_Allreduce(MpiNative.InPlace, p, n, _h.Double, _h.Sum, _h.World), "MPI_Allreduce");

    /// <inheritdoc />
    public void Broadcast(Span<byte> bytes, int root = 0) =>
        InChunks(bytes, (p, n) => MpiNative.MPI_Bcast(p, n, _h.Byte, root, _h.World), "MPI_Bcast");

    /// <summary>Calls <paramref name="call"/> (address, count) on consecutive parts of at most 2^30 elements.</summary>
    private static unsafe void InChunks<T>(Span<T> values, Func<IntPtr, int, int> call, string name) where T : unmanaged
    {
        for (int offset = 0; offset < values.Length; offset += MaxCount)
        {
            var part = values.Slice(offset, Math.Min(MaxCount, values.Length - offset));
            fixed (T* p = part)
                Check(call((IntPtr)p, part.Length), name);
        }
    }

    /// <inheritdoc />
    public void Barrier() => Check(MpiNative.MPI_Barrier(_h.World), "MPI_Barrier");

    /// <inheritdoc />
    public void Abort(int exitCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        MpiNative.MPI_Abort(_h.World, exitCode);
        Environment.Exit(exitCode); // not reached: MPI_Abort ends the process
    }

    /// <summary>Finalises MPI (once; every process must get here, so call it only after a run that did not fail).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        MpiNative.MPI_Finalized(out int finalized);
        if (finalized == 0) MpiNative.MPI_Finalize();
    }

    // MPI's default error handler aborts the job on a failed call; this is a second line for handlers that return.
    private static void Check(int code, string call)
    {
        if (code != 0) throw new DistributedException($"{call} failed with MPI error {code}");
    }
}
