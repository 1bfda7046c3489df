using TorchSharp;
using TorchSharp.PyBridge;
using SharpTune.IO;
using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// Reads and writes whole state dicts (name → tensor). Formats: safetensors, and PyTorch's zip <c>.pth</c> written by
/// <c>torch.save(model.state_dict())</c>. This is the only place that knows weight file formats.
/// </summary>
public static class StateDictFile
{
    /// <summary>Reads every tensor of a safetensors or PyTorch <c>.pth</c> file.</summary>
    /// <exception cref="WeightsException">The file is missing, unreadable or not a state dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new WeightsException($"{path}: weights file not found");
        var format = DetectFormat(path);
        try
        {
            return format switch
            {
                WeightsFormat.Safetensors => Safetensors.LoadStateDict(path),
                WeightsFormat.PyTorchZip => ReadPyTorch(path),
                _ => throw new WeightsException($"{path}: not a safetensors or PyTorch (.pth zip) weights file"),
            };
        }
        catch (WeightsException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new WeightsException($"{path}: cannot read {format} weights: {e.Message}", e);
        }
    }

    /// <summary>Writes a state dict as safetensors, atomically.</summary>
    public static void WriteSafetensors(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var dict = stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().contiguous());
        AtomicFile.Write(path, stream => Safetensors.SaveStateDict(stream, dict, leaveOpen: true));
    }

    /// <summary>
    /// Writes a state dict as a PyTorch zip <c>.pth</c> (what <c>torch.save(model.state_dict())</c> writes; loads with
    /// <c>torch.load</c>), atomically.
    /// </summary>
    public static void WritePyTorch(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var dict = new Dictionary<string, Tensor>(stateDict.Count);
        foreach (var (name, value) in stateDict) dict[name] = value.detach().cpu().contiguous();
        try
        {
            AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, dict, leaveOpen: true));
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>Recognises the format from the file's first bytes (not its extension).</summary>
    public static WeightsFormat DetectFormat(string path)
    {
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var f = File.OpenRead(path)) n = f.Read(head);
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return WeightsFormat.PyTorchZip;
        // safetensors: 8-byte little-endian header length, then a JSON object.
        if (n == 9 && head[8] == (byte)'{')
        {
            var headerLength = BitConverter.ToUInt64(head[..8]);
            if (headerLength > 0 && headerLength < (ulong)new FileInfo(path).Length) return WeightsFormat.Safetensors;
        }
        return WeightsFormat.Unknown;
    }

    private static Dictionary<string, Tensor> ReadPyTorch(string path)
    {
        PickleGuard.Verify(path); // before any unpickling
        var table = PyTorchUnpickler.UnpickleStateDict(path);
        var result = new Dictionary<string, Tensor>(table.Count);
        foreach (System.Collections.DictionaryEntry entry in table)
        {
            if (entry.Value is not Tensor t)
                throw new WeightsException($"{path}: entry '{entry.Key}' is not a tensor; only state dicts (torch.save(model.state_dict())) are supported");
            result[(string)entry.Key] = t;
        }
        return result;
    }
}

/// <summary>Weight file formats SharpTune reads.</summary>
public enum WeightsFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>Hugging Face safetensors.</summary>
    Safetensors,
    /// <summary>PyTorch's zip serialisation (<c>torch.save</c>).</summary>
    PyTorchZip,
}
