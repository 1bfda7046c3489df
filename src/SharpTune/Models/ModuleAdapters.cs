using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>
/// Something a tuner attaches to a layer that adds to its output (a LoRA update, an IA³ scale …). Layers normally
/// apply it through their forward hooks; code that computes a layer itself (mixed precision's bf16 path calls the
/// functional ops) asks <see cref="ModuleAdapters.Of"/> and adds the update, knowing no tuner by name.
/// </summary>
public interface IModuleAdapter
{
    /// <summary>True when the adapter changes the layer's output now (enabled, not merged into the weights).</summary>
    bool Applies { get; }

    /// <summary>What the adapter adds to the layer's output for input <paramref name="x"/> (fp32).</summary>
    Tensor Update(Tensor x);
}

/// <summary>The adapters attached to layers, looked up by layer (weakly held: a disposed model frees its entries).</summary>
public static class ModuleAdapters
{
    private static readonly ConditionalWeakTable<nn.Module, IModuleAdapter> Attached = new();

    /// <summary>Attaches <paramref name="adapter"/> to <paramref name="layer"/> (one adapter per layer).</summary>
    public static void Attach(nn.Module layer, IModuleAdapter adapter) => Attached.AddOrUpdate(layer, adapter);

    /// <summary>Removes the adapter of <paramref name="layer"/>, if any.</summary>
    public static void Detach(nn.Module layer) => Attached.Remove(layer);

    /// <summary>The adapter attached to <paramref name="layer"/>, or null.</summary>
    public static IModuleAdapter? Of(nn.Module layer) => Attached.TryGetValue(layer, out var adapter) ? adapter : null;
}
