using SharpTune.Models;
using SharpTune.Training;

namespace SharpTune.Families;

/// <summary>The registry of model families: one line per family, looked up by zoo entry or by a run's architecture.</summary>
public static class ModelFamilies
{
    /// <summary>Every family SharpTune knows.</summary>
    public static IReadOnlyList<IModelFamily> All { get; } =
    [
        new Images.ImageFamily(),
        new Text.TextFamily(),
        new Vit.VitFamily(),
    ];

    /// <summary>The family of zoo model <paramref name="model"/>.</summary>
    /// <exception cref="UnknownModelException">Unknown model.</exception>
    public static IModelFamily For(string model)
    {
        var entry = ModelZoo.Get(model);
        return All.FirstOrDefault(f => f.Handles(entry))
               ?? throw new UnknownModelException($"model '{entry.Name}' belongs to no registered family");
    }

    /// <summary>The family that wrote the run in <paramref name="run"/> (by <c>model.json</c>'s architecture).</summary>
    /// <exception cref="RunDirectoryException">No model.json, or an architecture no family reads.</exception>
    public static IModelFamily ForRun(RunDirectory run)
    {
        if (!Directory.Exists(run.Path)) throw new RunDirectoryException($"{run.Path}: run directory not found");
        var architecture = run.ReadArchitecture();
        return All.FirstOrDefault(f => string.Equals(f.Architecture, architecture, StringComparison.OrdinalIgnoreCase))
               ?? throw new RunDirectoryException($"{run.ModelInfoFile}: architecture '{architecture}' is not one this SharpTune can load ({string.Join(", ", All.Select(f => f.Architecture))})");
    }
}
