using SharpTune.Configuration;
using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>Checks a complete set of options before any work starts; every problem names its option.</summary>
public static class OptionsValidator
{
    /// <summary>Smallest crop a ResNet accepts (five stride-2 stages down to 1×1).</summary>
    public const int MinResNetSize = 32;

    /// <summary>Throws <see cref="OptionsException"/> listing every problem of <paramref name="o"/>.</summary>
    public static void Validate(FineTuneOptions o)
    {
        var problems = new List<string>();
        ZooEntry? entry = null;
        try { entry = ModelZoo.Get(o.Model); }
        catch (UnknownModelException e) { problems.Add("--model: " + e.Message); }

        if (o.Data is not null && !Directory.Exists(o.Data)) problems.Add($"--data: folder '{o.Data}' does not exist");
        if (o.Weights is not null && !File.Exists(o.Weights)) problems.Add($"--weights: file '{o.Weights}' does not exist");
        if (o.Size is int size && size < MinResNetSize) problems.Add($"--size: {size} is too small for {o.Model}; use at least {MinResNetSize}");
        if (o.ReuseHead is not null && !File.Exists(o.ReuseHead) && !Directory.Exists(o.ReuseHead))
            problems.Add($"--reuse-head: '{o.ReuseHead}' is neither a run directory nor a file");
        if (o.ReuseHeadClasses is not null && !File.Exists(o.ReuseHeadClasses))
            problems.Add($"--reuse-head-classes: file '{o.ReuseHeadClasses}' does not exist");
        if (o.ReuseHead is not null && File.Exists(o.ReuseHead) && o.ReuseHeadClasses is null)
            problems.Add("--reuse-head: a weights file needs --reuse-head-classes (its class names, one per line)");
        if (o.Init == InitMode.Scratch && o.Weights is not null) problems.Add("--weights: cannot be combined with --init scratch");
        if (entry is not null && o.Init == InitMode.Pretrained && entry.Weights is null && o.Weights is null)
            problems.Add($"--model: '{entry.Name}' has no bundled weights; give --weights FILE or --init scratch");
        if (o.Device == "cuda" && !cuda.is_available())
            problems.Add("--device: cuda requested but this SharpTune runs on a CPU-only libtorch (TorchSharp-cpu); use --device cpu");
        if (problems.Count > 0) throw new OptionsException(problems);
    }
}
