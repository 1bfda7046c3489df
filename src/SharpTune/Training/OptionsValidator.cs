using SharpTune.Configuration;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Tuning;
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

        bool text = entry?.Task == ModelTask.Text;
        if (o.Data is not null && !Directory.Exists(o.Data)) problems.Add($"--data: folder '{o.Data}' does not exist");
        if (o.Weights is not null && !File.Exists(o.Weights) && !(text && Directory.Exists(o.Weights)))
            problems.Add($"--weights: {(text ? "file or Hugging Face folder" : "file")} '{o.Weights}' does not exist");
        if (!text && o.Size is int size && size < MinResNetSize) problems.Add($"--size: {size} is too small for {o.Model}; use at least {MinResNetSize}");
        if (o.ReuseHead is not null && !File.Exists(o.ReuseHead) && !Directory.Exists(o.ReuseHead))
            problems.Add($"--reuse-head: '{o.ReuseHead}' is neither a run directory nor a file");
        if (o.ReuseHeadClasses is not null && !File.Exists(o.ReuseHeadClasses))
            problems.Add($"--reuse-head-classes: file '{o.ReuseHeadClasses}' does not exist");
        if (o.ReuseHead is not null && File.Exists(o.ReuseHead) && o.ReuseHeadClasses is null)
            problems.Add("--reuse-head: a weights file needs --reuse-head-classes (its class names, one per line)");
        if (o.Init == InitMode.Scratch && o.Weights is not null) problems.Add("--weights: cannot be combined with --init scratch");
        if (entry is not null && o.Init == InitMode.Pretrained && entry.Weights is null && o.Weights is null)
            problems.Add($"--model: '{entry.Name}' has no bundled weights; give --weights {(text ? "FILE|DIR" : "FILE")} or --init scratch");
        if (o.Device == "cuda" && !cuda.is_available())
            problems.Add("--device: cuda requested but this SharpTune runs on a CPU-only libtorch (TorchSharp-cpu), or no GPU is visible; " +
                         "use --device cpu, or build with -p:TorchSharpBackend=cuda-linux on a machine with CUDA");
        if (o.Precision == Precision.Bf16 && !Hardware.CpuFeatures.HasNativeBf16)
            problems.Add($"--precision: bf16 needs a CPU with native bf16 ({string.Join(" or ", Hardware.CpuFeatures.NativeBf16Flags)}); " +
                         $"this one ({Hardware.CpuFeatures.Describe()}) would emulate it, about ten times slower than fp32. Use fp32, or bf16-force to run it anyway");
        CheckLoraScope(o, problems);
        if (o.LoraTargets is { } targets && targets.StartsWith("re:", StringComparison.Ordinal))
        {
            try { _ = new System.Text.RegularExpressions.Regex(targets[3..]); }
            catch (ArgumentException e) { problems.Add($"--lora-targets: '{targets}' is not a valid regular expression ({e.Message})"); }
        }
        if (entry is not null)
        {
            CheckScope(o, entry, problems);
            if (!text) CheckImageBatch(o, problems);
            if (text) CheckText(o, entry, problems);
            else if (entry.Spec is not null && FreezeLevels.TryParse(o.Freeze) is null)
                problems.Add($"--freeze: '{o.Freeze}' is not one of {string.Join("|", FreezeLevels.Names)} for the image model '{entry.Name}'");
        }
        if (problems.Count > 0) throw new OptionsException(problems);
    }

    /// <summary>LoRA settings without <c>--method lora</c> would be silently ignored: they are refused.</summary>
    private static void CheckLoraScope(FineTuneOptions o, List<string> problems)
    {
        if (o.Method == TuningMethod.Lora) return;
        var defaults = new FineTuneOptions();
        foreach (var def in OptionTable.All.Where(d => d.Name.StartsWith("lora-", StringComparison.Ordinal)))
            if (def.Get(o) != def.Get(defaults))
                problems.Add($"--{def.Name}: applies to --method lora only (this run uses --method {o.Method.ToString().ToLowerInvariant()})");
    }

    /// <summary>
    /// A training batch of one example through a training-mode BatchNorm normalises by the variance of one value per
    /// channel (1×1 maps in layer4 at sizes 32–63): the running variance becomes NaN. PyTorch refuses it; so do we,
    /// unless BatchNorm is fixed (the whole body frozen without --train-bn, or LoRA, which freezes it).
    /// </summary>
    private static void CheckImageBatch(FineTuneOptions o, List<string> problems)
    {
        bool batchNormTrains = o.Method == TuningMethod.Full && (o.Freeze != "backbone" || o.TrainBn);
        if (o.BatchSize == 1 && batchNormTrains)
            problems.Add("--batch-size: 1 with BatchNorm layers training gives each channel one value to normalise by (NaN statistics); " +
                         "use at least 2, or --freeze backbone / --method lora, which keep BatchNorm fixed");
    }

    /// <summary>Settings of the other kind of model must be unset.</summary>
    private static void CheckScope(FineTuneOptions o, ZooEntry entry, List<string> problems)
    {
        // A setting of the other kind counts as given when it differs from the defaults (options with non-null
        // defaults, such as --recipe d2l, are always "present").
        var defaults = new FineTuneOptions();
        foreach (var def in OptionTable.All)
        {
            if (def.OnlyFor is not { } only || only == entry.Task || def.Get(o) is null || def.Get(o) == def.Get(defaults)) continue;
            var others = ModelZoo.All.Where(e => e.Task == only && !e.Name.StartsWith("test-", StringComparison.Ordinal)).Select(e => e.Name);
            problems.Add($"--{def.Name}: only for {only.ToString().ToLowerInvariant()} models ({string.Join(", ", others)}); " +
                         $"'{entry.Name}' is a{(entry.Task == ModelTask.Image ? "n image" : " text")} model");
        }
    }

    private static void CheckText(FineTuneOptions o, ZooEntry entry, List<string> problems)
    {
        var bert = entry.Text!.Bert;
        foreach (var def in OptionTable.All.Where(d => d.OnlyFor == ModelTask.Text && d.Name is not "head-tokens"))
            if (def.Get(o) is null) problems.Add($"--{def.Name}: required for the text model '{entry.Name}' (start from FineTuneOptions.TextRecipe)");
        if (o.MaxLength is int max && max > bert.MaxPositionEmbeddings && o.Weights is null)
            problems.Add($"--max-length: {max} exceeds the {bert.MaxPositionEmbeddings} positions of '{entry.Name}'");
        if (o.HeadTokens is int head && o.MaxLength is int m && head > m - 2)
            problems.Add($"--head-tokens: {head} leaves no room within --max-length {m} ([CLS] and [SEP] take 2)");
        if (o.Weights is null && BertForSequenceClassification.FrozenPartCountFor(o.Freeze, bert.NumHiddenLayers) is null)
            problems.Add($"--freeze: '{o.Freeze}' is not one of {string.Join("|", BertForSequenceClassification.FreezeTargetsFor(bert.NumHiddenLayers))} for '{entry.Name}'");
        if (o.Recipe == RecipeKind.Fastai)
            problems.Add($"--recipe: fastai's recipe (BatchNorm training in a frozen body) is for image models; '{entry.Name}' uses sun2019 or d2l");
    }
}
