using SharpTune.Tuning.Lora;

namespace SharpTune.Training;

/// <summary>Turns the run options into a <see cref="LoraConfig"/>, with per-architecture default targets.</summary>
public static class LoraSettings
{
    /// <summary>The LoRA config of a run: the user's targets, or the model's default ones (<see cref="Models.IModelContract.DefaultLoraTargets"/>).</summary>
    public static LoraConfig For(FineTuneOptions options, string baseModel, Models.IModelContract model)
    {
        var targets = options.LoraTargets ?? model.DefaultLoraTargets;
        IReadOnlyList<string> list = targets.StartsWith("re:", StringComparison.Ordinal)
            ? [targets]
            : targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new LoraConfig(options.LoraR, options.LoraAlpha, options.LoraDropout, list, [model.ClassifierName], baseModel);
    }

    /// <summary>
    /// Injects LoRA into <paramref name="model"/> when the run's method is LoRA (null otherwise). Called before the run
    /// directory is written: targets that match no layer are a usage error, found before any file exists.
    /// </summary>
    /// <exception cref="Configuration.OptionsException">The targets match no Linear/Conv2d layer of the model.</exception>
    public static LoraModel? InjectFor(FineTuneOptions options, TorchSharp.torch.nn.Module model, string baseModel, Models.IModelContract contract)
    {
        if (options.Method != TuningMethod.Lora) return null;
        try
        {
            return LoraModel.Inject(model, For(options, baseModel, contract));
        }
        catch (ArgumentException e)
        {
            throw new Configuration.OptionsException(e.Message.StartsWith("--", StringComparison.Ordinal) ? e.Message : "--lora-targets: " + e.Message);
        }
    }

    /// <summary>True for LoRA parameters (they train inside frozen parts).</summary>
    public static bool IsAdapterParameter(string name) =>
        name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal);
}
