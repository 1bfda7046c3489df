using SharpTune.Tuning.Lora;

namespace SharpTune.Training;

/// <summary>Turns the run options into a <see cref="LoraConfig"/>, with per-architecture default targets.</summary>
public static class LoraSettings
{
    /// <summary>Default LoRA targets of ResNets: the 3×3 convolutions of layer4.</summary>
    public const string ResNetDefaultTargets = @"re:layer4\.\d+\.conv[12]";

    /// <summary>Default LoRA targets of BERT encoders: the query and value projections (Hu et al.'s choice).</summary>
    public const string BertDefaultTargets = "query,value";

    /// <summary>The LoRA config of a run.</summary>
    public static LoraConfig For(FineTuneOptions options, string baseModel, string classifier)
    {
        var targets = options.LoraTargets ?? (options.IsText ? BertDefaultTargets : ResNetDefaultTargets);
        IReadOnlyList<string> list = targets.StartsWith("re:", StringComparison.Ordinal)
            ? [targets]
            : targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new LoraConfig(options.LoraR, options.LoraAlpha, options.LoraDropout, list, [classifier], baseModel);
    }

    /// <summary>
    /// Injects LoRA into <paramref name="model"/> when the run's method is LoRA (null otherwise). Called before the run
    /// directory is written: targets that match no layer are a usage error, found before any file exists.
    /// </summary>
    /// <exception cref="Configuration.OptionsException">The targets match no Linear/Conv2d layer of the model.</exception>
    public static LoraModel? InjectFor(FineTuneOptions options, TorchSharp.torch.nn.Module model, string baseModel, string classifier)
    {
        if (options.Method != TuningMethod.Lora) return null;
        try
        {
            return LoraModel.Inject(model, For(options, baseModel, classifier));
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
