using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpTune.Data.Idx;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format, optionally gzip-compressed): a magic number giving the element
/// type and rank, the dimensions as big-endian 32-bit integers, then the data. Only unsigned bytes are supported.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads an IDX file of unsigned bytes; returns its dimensions and data.</summary>
    /// <exception cref="DataException">Not an unsigned-byte IDX file, or truncated.</exception>
    public static (int[] Dimensions, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new DataException($"{path}: IDX file not found");
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var buffered = new BufferedStream(stream);
        Span<byte> header = stackalloc byte[4];
        ReadExactly(buffered, header, path);
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
            throw new DataException($"{path}: not an IDX file of unsigned bytes (magic {Convert.ToHexString(header)})");
        int rank = header[3];
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(buffered, header, path);
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(header);
            if (dims[i] < 0) throw new DataException($"{path}: negative dimension {dims[i]}");
        }
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count > int.MaxValue) throw new DataException($"{path}: {count} elements is too large");
        var data = new byte[count];
        ReadExactly(buffered, data, path);
        return (dims, data);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string path)
    {
        try
        {
            s.ReadExactly(buffer);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new DataException($"{path}: truncated or corrupt IDX file ({e.Message})");
        }
    }
}
