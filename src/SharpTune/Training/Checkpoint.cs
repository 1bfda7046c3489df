using System.Text.Json;
using SharpTune.IO;
using SharpTune.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>What a checkpoint remembers besides tensors.</summary>
/// <param name="Epoch">Last complete epoch (1-based).</param>
/// <param name="History">Metrics of epochs 1…Epoch.</param>
/// <param name="TorchRngState">libtorch's CPU generator state (base64).</param>
/// <param name="Folder">Folder holding the tensors, relative to the checkpoint folder.</param>
/// <param name="Classes">Class names of the model's outputs (a resume on other classes is refused).</param>
public sealed record CheckpointState(int Epoch, IReadOnlyList<EpochMetrics> History, string TorchRngState, string Folder, IReadOnlyList<string> Classes);

/// <summary>
/// Per-epoch checkpoints: weights, optimiser state, epoch, metrics and RNG state. Each epoch goes into its own
/// folder; <c>latest.json</c> is replaced atomically only after that folder is complete, so an interruption at any
/// moment leaves the previous checkpoint as the latest.
/// </summary>
public static partial class Checkpoint
{
    private const string LatestFile = "latest.json";

    /// <summary>Saves epoch <paramref name="epoch"/> into <paramref name="folder"/>.</summary>
    public static void Save(string folder, int epoch, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer,
        IReadOnlyList<EpochMetrics> history, IReadOnlyList<string> classes)
    {
        var name = $"epoch-{epoch:D4}";
        var target = Path.Combine(folder, name);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        StateDictFile.WriteSafetensors(Path.Combine(target, "model.safetensors"), model.state_dict());
        FaultInjection.Hit($"checkpoint:{epoch}");
        AtomicFile.Write(Path.Combine(target, "optimizer.bin"), s =>
        {
            using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(writer);
        });
        using var rng = get_rng_state();
        var state = new CheckpointState(epoch, history, Convert.ToBase64String(rng.data<byte>().ToArray()), name, classes);
        RunJson.Write(Path.Combine(target, "state.json"), state);
        RunJson.Write(Path.Combine(folder, LatestFile), state);
        foreach (var old in Directory.GetDirectories(folder, "epoch-*").Where(d => Path.GetFileName(d) != name))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// The latest complete checkpoint in <paramref name="folder"/>, or null when there is none. Its state is checked
    /// before anything reaches libtorch: the tensor folder must be one of this checkpoint folder's own epoch folders (a
    /// <c>latest.json</c> pointing elsewhere would resume from another run's weights), and the RNG state must be one
    /// libtorch's generator accepts (garbage there aborts the process natively).
    /// </summary>
    /// <exception cref="RunDirectoryException">The state is malformed; the message names the file.</exception>
    public static CheckpointState? Latest(string folder)
    {
        var latest = Path.Combine(folder, LatestFile);
        if (!File.Exists(latest)) return null;
        var state = RunJson.Read<CheckpointState>(latest);
        if (state.History is null || state.Classes is null || state.Folder is null || state.TorchRngState is null)
            throw new RunDirectoryException($"{latest}: incomplete checkpoint state");
        if (!EpochFolderName().IsMatch(state.Folder) || state.Folder != $"epoch-{state.Epoch:D4}")
            throw new RunDirectoryException($"{latest}: folder '{state.Folder}' is not this checkpoint's epoch folder (epoch-{state.Epoch:D4}); refusing to resume from elsewhere");
        var resolved = Path.GetFullPath(Path.Combine(folder, state.Folder));
        if (Path.GetDirectoryName(resolved) != Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) || !Directory.Exists(resolved))
            throw new RunDirectoryException($"{latest}: folder '{state.Folder}' is not inside {folder}");
        if (state.History.Count != state.Epoch)
            throw new RunDirectoryException($"{latest}: {state.History.Count} epochs of metrics for epoch {state.Epoch}");
        RngState.Check(state.TorchRngState, latest);
        return state;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^epoch-[0-9]{4}$")]
    private static partial System.Text.RegularExpressions.Regex EpochFolderName();

    /// <summary>Restores weights, optimiser state and the RNG from <paramref name="state"/>.</summary>
    public static void Restore(string folder, CheckpointState state, nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        RestoreModel(folder, state, model);
        RestoreOptimizer(folder, state, optimizer);
    }

    /// <summary>Restores the weights and libtorch's RNG (strict: every tensor must fit).</summary>
    public static void RestoreModel(string folder, CheckpointState state, nn.Module model)
    {
        var file = Path.Combine(folder, state.Folder, "model.safetensors");
        var tensors = StateDictFile.Read(file);
        try
        {
            StateDictLoader.Load(model, tensors, file, new LoadOptions([], Strict: true));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        using var rng = tensor(RngState.Check(state.TorchRngState, Path.Combine(folder, LatestFile)), dtype: ScalarType.Byte);
        set_rng_state(rng);
    }

    /// <summary>Restores the optimiser's state (momentum buffers, Adam moments, step counts).</summary>
    public static void RestoreOptimizer(string folder, CheckpointState state, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        var file = Path.Combine(folder, state.Folder, "optimizer.bin");
        try
        {
            using var stream = File.OpenRead(file);
            using var reader = new BinaryReader(stream);
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or InvalidOperationException
                                      or FormatException or OverflowException or IndexOutOfRangeException or System.Runtime.InteropServices.ExternalException)
        {
            // TorchSharp reads the optimiser state as a raw stream: a corrupt file fails somewhere inside it.
            throw new RunDirectoryException($"{file}: unreadable optimiser state ({e.GetType().Name}: {e.Message}); the checkpoint is damaged");
        }
    }
}
