using System.Runtime.InteropServices;

namespace SharpTune.Distributed;

/// <summary>
/// The handful of MPI calls SharpTune needs, bound to Open MPI's <c>libmpi.so.40</c> (Debian <c>libopenmpi3</c>).
/// NuGet's MPI.NET binds only Microsoft MPI (<c>msmpi.dll</c>). Open MPI's handles (<c>MPI_COMM_WORLD</c>,
/// <c>MPI_FLOAT</c>, <c>MPI_SUM</c>…) are the addresses of its global objects, so they are looked up as exports.
/// </summary>
internal static partial class MpiNative
{
    public const string Library = "libmpi.so.40";

    /// <summary>MPI_IN_PLACE in Open MPI: <c>(void *) 1</c>.</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call, one at a time.</summary>
    public const int ThreadSerialized = 2;

    [LibraryImport(Library)] public static partial int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);
    [LibraryImport(Library)] public static partial int MPI_Initialized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Finalized(out int flag);
    [LibraryImport(Library)] public static partial int MPI_Finalize();
    [LibraryImport(Library)] public static partial int MPI_Comm_rank(IntPtr comm, out int rank);
    [LibraryImport(Library)] public static partial int MPI_Comm_size(IntPtr comm, out int size);
    [LibraryImport(Library)] public static partial int MPI_Allreduce(IntPtr sendBuffer, IntPtr receiveBuffer, int count, IntPtr datatype, IntPtr op, IntPtr comm);
    [LibraryImport(Library)] public static partial int MPI_Bcast(IntPtr buffer, int count, IntPtr datatype, int root, IntPtr comm);
    [LibraryImport(Library)] public static partial int MPI_Barrier(IntPtr comm);
    [LibraryImport(Library)] public static partial int MPI_Abort(IntPtr comm, int errorCode);

    /// <summary>Open MPI's predefined handles, resolved once.</summary>
    public sealed record Handles(IntPtr World, IntPtr Float, IntPtr Double, IntPtr Byte, IntPtr Sum)
    {
        public static Handles Resolve()
        {
            IntPtr library;
            try { library = NativeLibrary.Load(Library); }
            catch (DllNotFoundException e)
            {
                throw new DistributedException($"--distributed mpi: cannot load Open MPI's {Library} ({e.Message}); install it with 'apt-get install openmpi-bin libopenmpi-dev'");
            }
            IntPtr Export(string name) => NativeLibrary.TryGetExport(library, name, out var address)
                ? address
                : throw new DistributedException($"--distributed mpi: {Library} has no symbol '{name}'; SharpTune needs Open MPI 4.x");
            return new Handles(Export("ompi_mpi_comm_world"), Export("ompi_mpi_float"), Export("ompi_mpi_double"),
                Export("ompi_mpi_byte"), Export("ompi_mpi_op_sum"));
        }
    }
}
