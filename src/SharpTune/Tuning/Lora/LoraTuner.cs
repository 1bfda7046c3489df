using SharpTune.Configuration;
using SharpTune.Models;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Tuning.Lora;

/// <summary>LoRA (Hu et al. 2021) as a tuner: low-rank updates on the targeted layers, PEFT's files and keys.</summary>
public sealed class LoraTuner : ITuner
{
    /// <inheritdoc />
    public string Name => "lora";

    /// <summary>The LoRA config of a run: the user's targets, or the model's default ones (<see cref="IModelContract.DefaultLoraTargets"/>).</summary>
    public static LoraConfig ConfigFor(FineTuneOptions options, string baseModel, IModelContract model)
    {
        var targets = options.LoraTargets ?? model.DefaultLoraTargets;
        IReadOnlyList<string> list = targets.StartsWith("re:", StringComparison.Ordinal)
            ? [targets]
            : targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new LoraConfig(options.LoraR, options.LoraAlpha, options.LoraDropout, list, [model.ClassifierName], baseModel);
    }

    /// <summary>True for LoRA parameters (they train inside frozen parts).</summary>
    public static bool IsAdapterParameter(string name) =>
        name.Contains(".lora_A.", StringComparison.Ordinal) || name.Contains(".lora_B.", StringComparison.Ordinal);

    /// <inheritdoc />
    public ITunedModel Apply(FineTuneOptions options, nn.Module model, IModelContract contract, string baseModel)
    {
        try
        {
            return new Tuned(LoraModel.Inject(model, ConfigFor(options, baseModel, contract)));
        }
        catch (ArgumentException e)
        {
            // Targets that match nothing: a usage error, found before the run directory is written.
            throw new OptionsException(e.Message.StartsWith("--", StringComparison.Ordinal) ? e.Message : "--lora-targets: " + e.Message);
        }
    }

    private sealed class Tuned(LoraModel lora) : ITunedModel
    {
        public bool IsTunerParameter(string name) => IsAdapterParameter(name);
        public long TrainableParameters => lora.TrainableParameters;
        public long TotalParameters => lora.TotalParameters;

        public string Describe() =>
            $"LoRA r={lora.Config.R} alpha={lora.Config.LoraAlpha} on {lora.Layers.Count} layers ({string.Join(", ", lora.Layers.Select(l => l.Name).Take(6))}{(lora.Layers.Count > 6 ? ", …" : "")}): " +
            $"{lora.TrainableParameters:N0} of {lora.TotalParameters:N0} parameters train ({100.0 * lora.TrainableParameters / lora.TotalParameters:0.00}%)";

        public void Save(string runDirectory) => lora.Save(runDirectory);
        public void Merge() => lora.Merge();
        public void Dispose() => lora.Dispose();
    }
}
