using SharpTune.Models;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>
/// A way of adapting a pretrained model besides training its weights (PEFT's shape: LoRA today; QLoRA, DoRA, IA³ each
/// a folder of their own). The run pipeline asks the tuner of the run's method (<see cref="Tuners.For"/>) to wrap the
/// model before anything is written, freezes what the tuner does not train, and at the end lets it save its own files
/// and merge itself into the plain weights the run ships.
/// </summary>
public interface ITuner
{
    /// <summary>The method's name (<c>--method</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Adapts <paramref name="model"/> per <paramref name="options"/>; <paramref name="contract"/> gives its default
    /// targets and classifier.
    /// </summary>
    /// <exception cref="Configuration.OptionsException">The method's options do not fit the model (named).</exception>
    ITunedModel Apply(FineTuneOptions options, nn.Module model, IModelContract contract, string baseModel);
}

/// <summary>A model a tuner adapted.</summary>
public interface ITunedModel : IDisposable
{
    /// <summary>True for the parameters the tuner adds (they train inside frozen parts and are not in the shipped weights).</summary>
    bool IsTunerParameter(string name);

    /// <summary>Parameters that train.</summary>
    long TrainableParameters { get; }

    /// <summary>All parameters, the tuner's included.</summary>
    long TotalParameters { get; }

    /// <summary>One line for the log: what was adapted and how much trains.</summary>
    string Describe();

    /// <summary>Writes the tuner's own files into the run directory (e.g. PEFT's adapter files).</summary>
    void Save(string runDirectory);

    /// <summary>Folds the adaptation into the base weights, so the plain model carries it.</summary>
    void Merge();
}

/// <summary>The registry of tuners by method: one line per tuner.</summary>
public static class Tuners
{
    private static readonly IReadOnlyDictionary<TuningMethod, ITuner> ByMethod = new Dictionary<TuningMethod, ITuner>
    {
        [TuningMethod.Lora] = new Lora.LoraTuner(),
    };

    /// <summary>The tuner of <paramref name="method"/>; null for full fine-tuning (the weights themselves train).</summary>
    public static ITuner? For(TuningMethod method) => ByMethod.GetValueOrDefault(method);
}
