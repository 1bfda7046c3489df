using System.Globalization;
using SharpTune.Data;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Text;
using SharpTune.Training;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;

namespace SharpTune.Configuration;

/// <summary>
/// The single list of fine-tuning settings. The CLI builds its options from it, the YAML reader accepts exactly its
/// keys, and the resolved configuration of a run is written from it, so the three never drift apart.
/// </summary>
public static class OptionTable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>All settings, in the order they are printed.</summary>
    public static IReadOnlyList<OptionDef> All { get; } =
    [
        new("data", "Dataset folder DIR/{train,test|val}/<class>/<file> (images, or .txt documents), or for text DIR/{train,test}.{csv,tsv,jsonl}; default: the embedded Fashion-MNIST subset (text: SpamAssassin subset).",
            o => o.Data, (o, v) => o with { Data = NonEmpty(v) }),
        new("model", "Zoo model (see 'sharptune models list').", o => o.Model, (o, v) => o with { Model = NonEmpty(v) }),
        new("weights", "Weights for the body instead of the bundled ones: a .safetensors or .pth file (torchvision or Hugging Face names), or for text a Hugging Face folder (config.json + model.safetensors [+ vocab.txt]).",
            o => o.Weights, (o, v) => o with { Weights = NonEmpty(v) }),
        new("size", "Crop size for training and testing (test resize = size*256/224); default: the model's input size.",
            o => o.Size?.ToString(Inv), (o, v) => o with { Size = Int(v, min: 1, max: OptionRanges.MaxSize) }, OnlyFor: ModelTask.Image),
        new("epochs", "Training epochs.", o => o.Epochs.ToString(Inv), (o, v) => o with { Epochs = Int(v, min: 1, max: OptionRanges.MaxEpochs) }),
        new("batch-size", "Examples per batch.", o => o.BatchSize.ToString(Inv), (o, v) => o with { BatchSize = Int(v, min: 1, max: OptionRanges.MaxBatchSize) }),
        new("recipe", "d2l (one phase, the image default), fastai (head first with the body frozen, then all layers with discriminative lrs under one-cycle; presets AdamW, lr 2e-3, mean loss, wd 0.01) or sun2019 (the text default: one phase, AdamW, layer-wise decay, linear warm-up and decay).",
            o => o.Recipe.ToString().ToLowerInvariant(), (o, v) => o with { Recipe = Enum<RecipeKind>(v) }),
        new("lr", "Learning rate of the body (of everything with --no-param-groups), or LOW:HIGH to spread rates geometrically from the stem (LOW) to the head (HIGH). With --loss-reduction sum (default, as d2l) the step on a mean loss is lr*batch-size.",
            o => o.LrLow is double low ? D(low) + ":" + D(o.Lr) : D(o.Lr), ParseLr),
        new("head-lr-mult", "The new head's learning rate is lr times this.", o => D(o.HeadLrMult),
            (o, v) => o with { HeadLrMult = Double(v, positive: true, max: OptionRanges.MaxHeadLrMult) }),
        new("param-groups", "Separate learning rates for body and head (true) or one group (false).",
            o => o.ParamGroups ? "true" : "false", (o, v) => o with { ParamGroups = Bool(v) }, NegativeFlag: "no-param-groups"),
        new("momentum", "SGD momentum in [0, 1).", o => D(o.Momentum), (o, v) => o with { Momentum = Double(v, max: 1, maxExclusive: true) }),
        new("weight-decay", "SGD weight decay (L2).", o => D(o.WeightDecay), (o, v) => o with { WeightDecay = Double(v, max: OptionRanges.MaxWeightDecay) }),
        new("optimizer", "sgd or adamw (the text recipe's default).", o => o.Optimizer.ToString().ToLowerInvariant(), (o, v) => o with { Optimizer = Enum<OptimizerKind>(v) }),
        new("adam-beta2", "AdamW's beta2 (image recipes 0.99 as fastai, text 0.999 as BERT).", o => D(o.AdamBeta2), (o, v) => o with { AdamBeta2 = Double(v, max: 1, maxExclusive: true) }),
        new("schedule", "Learning-rate schedule: constant|step|cosine|onecycle|linear (per optimiser step; linear = warm-up over --warmup-ratio of the steps, then linear decay, the text default).",
            o => o.Schedule.ToString().ToLowerInvariant(), (o, v) => o with { Schedule = Enum<ScheduleKind>(v) }),
        new("warmup-epochs", "Linear warmup of the cosine schedule, in epochs.", o => D(o.WarmupEpochs), (o, v) => o with { WarmupEpochs = Double(v, max: OptionRanges.MaxEpochs) }),
        new("warmup-ratio", "Share of the steps with a linear learning-rate warm-up under --schedule linear, then linear decay to 0 (0 = decay only).",
            o => D(o.WarmupRatio), (o, v) => o with { WarmupRatio = Double(v, max: 1, maxExclusive: true) }),
        new("step-epochs", "Epochs between decays of the step schedule.", o => o.StepEpochs.ToString(Inv), (o, v) => o with { StepEpochs = Int(v, min: 1, max: OptionRanges.MaxEpochs) }),
        new("step-gamma", "Decay factor of the step schedule.", o => D(o.StepGamma), (o, v) => o with { StepGamma = Double(v, positive: true, max: 1) }),
        new("clip-norm", "Clip the global gradient L2 norm to this (0 = no clipping; the text recipe clips at 1).",
            o => D(o.ClipNorm), (o, v) => o with { ClipNorm = Double(v, max: OptionRanges.MaxClipNorm) }),
        new("layer-decay", "Layer-wise lr decay ξ in (0, 1]: each depth group trains at ξ times the group above (ResNet: head at lr, layer4 at lr·ξ, …, stem at lr·ξ⁵; BERT: Sun et al.'s 0.95 by default).",
            o => o.LayerDecay is double d ? D(d) : null, (o, v) => o with { LayerDecay = Double(v, positive: true, max: 1) }),
        new("freeze-epochs", "fastai recipe: epochs training the head with the body frozen before unfreezing.",
            o => o.FreezeEpochs.ToString(Inv), (o, v) => o with { FreezeEpochs = Int(v, min: 0, max: OptionRanges.MaxEpochs) }, OnlyFor: ModelTask.Image),
        new("train-bn", "Keep BatchNorm layers of frozen parts training (fastai's train_bn; the fastai recipe sets it).",
            o => o.TrainBn ? "true" : "false", (o, v) => o with { TrainBn = Bool(v) }, OnlyFor: ModelTask.Image),
        new("label-smoothing", "Label smoothing of the cross-entropy, in [0, 1).", o => D(o.LabelSmoothing),
            (o, v) => o with { LabelSmoothing = Double(v, max: 1, maxExclusive: true) }),
        new("class-weights", "none, or auto: weight the loss inversely to class frequency (imbalanced data).",
            o => o.ClassWeights.ToString().ToLowerInvariant(), (o, v) => o with { ClassWeights = Enum<ClassWeightMode>(v) }),
        new("early-stopping", "Stop when test accuracy has not improved for N epochs, keeping the best epoch's weights (0 = off).",
            o => o.EarlyStopping.ToString(Inv), (o, v) => o with { EarlyStopping = Int(v, min: 0, max: OptionRanges.MaxEpochs) }),
        new("sync-bn", "Data-parallel runs (--distributed mpi): BatchNorm statistics over the global batch of all processes instead of each process's part (DDP's default).",
            o => o.SyncBn ? "true" : "false", (o, v) => o with { SyncBn = Bool(v) }, OnlyFor: ModelTask.Image),
        new("precision", "fp32, or bf16: mixed precision (bf16 convolutions and linear layers; fp32 weights, norms and loss) on CPUs with native bf16 (avx512_bf16 or amx_bf16; refused elsewhere, where it is emulated and about 10x slower); bf16-force: bf16 even then.",
            o => o.Precision.Name(), (o, v) => o with { Precision = Precisions.Parse(v) }),
        new("method", "full (train the weights) or lora (low-rank adapters on frozen weights; the new head trains fully).",
            o => o.Method.ToString().ToLowerInvariant(), (o, v) => o with { Method = Enum<TuningMethod>(v) }),
        new("lora-r", "LoRA rank.", o => o.LoraR.ToString(Inv), (o, v) => o with { LoraR = Int(v, min: 1, max: OptionRanges.MaxLoraR) }),
        new("lora-alpha", "LoRA alpha: the update is scaled by alpha/r.", o => D(o.LoraAlpha), (o, v) => o with { LoraAlpha = Double(v, positive: true, max: OptionRanges.MaxLoraAlpha) }),
        new("lora-dropout", "Dropout on the LoRA path, in [0, 1).", o => D(o.LoraDropout), (o, v) => o with { LoraDropout = Double(v, max: 1, maxExclusive: true) }),
        new("lora-targets", "Layers that get LoRA: comma-separated module-name suffixes (e.g. query,value or conv1,conv2) or re:REGEX (full match); default: layer4's convolutions for ResNets.",
            o => o.LoraTargets, (o, v) => o with { LoraTargets = NonEmpty(v) }),
        new("accumulate", "Batches whose gradients are accumulated before each optimiser step.",
            o => o.Accumulate.ToString(Inv), (o, v) => o with { Accumulate = Int(v, min: 1, max: OptionRanges.MaxAccumulate) }),
        new("loss-reduction", "sum (d2l: per-example losses summed before backward) or mean.",
            o => o.LossReduction.ToString().ToLowerInvariant(), (o, v) => o with { LossReduction = Enum<LossReduction>(v) }),
        new("freeze", "Freeze the body up to and including: none|stem|layer1|layer2|layer3|layer4|backbone (ResNet); none|embeddings|layer1..layerN|backbone (BERT: embeddings and the N lowest layers).",
            o => o.Freeze, (o, v) => o with { Freeze = FreezeName(v) }),
        new("reuse-head", "Initialise head rows of classes shared (by name) with a SharpTune run directory or a weights file.",
            o => o.ReuseHead, (o, v) => o with { ReuseHead = NonEmpty(v) }, OnlyFor: ModelTask.Image),
        new("reuse-head-classes", "Class names (one per line) of the --reuse-head weights file's classifier rows.",
            o => o.ReuseHeadClasses, (o, v) => o with { ReuseHeadClasses = NonEmpty(v) }, OnlyFor: ModelTask.Image),
        new("init", "pretrained (fine-tune) or scratch (random weights, same architecture).",
            o => o.Init.ToString().ToLowerInvariant(), (o, v) => o with { Init = Enum<InitMode>(v) }),
        new("seed", "Seed of initialisation, shuffling and augmentation.", o => o.Seed.ToString(Inv), (o, v) => o with { Seed = Int(v, min: 0) }),
        new("threads", "CPU threads for tensor operations.", o => o.Threads.ToString(Inv), (o, v) => o with { Threads = Int(v, min: 1, max: OptionRanges.MaxThreads) }),
        new("device", "cpu or cuda.", o => o.Device, (o, v) => o with { Device = OneOf(v, "cpu", "cuda") }),
        new("workers", "Background threads that decode and augment images.", o => o.Workers.ToString(Inv), (o, v) => o with { Workers = Int(v, min: 1, max: OptionRanges.MaxWorkers) }),
        new("cache-mb", "Memory (MB) for decoded images kept between epochs; 0 decodes every epoch.",
            o => o.CacheMb.ToString(Inv), (o, v) => o with { CacheMb = Int(v, min: 0, max: OptionRanges.MaxCacheMb) }),
        new("bad-files", "skip (report and leave out unreadable images or bad text records) or fail (stop before training with the list).",
            o => o.BadFiles.ToString().ToLowerInvariant(), (o, v) => o with { BadFiles = Enum<BadFilePolicy>(v) }),
        Text("max-length", "Text: longest input in tokens, [CLS] and [SEP] included (at most the model's positions, 512 for MiniLM).",
            o => o.MaxLength?.ToString(Inv), (o, v) => o with { MaxLength = Int(v, min: 3, max: OptionRanges.MaxTextLength) }),
        Text("truncation", "Text: which tokens of a longer document are kept: head|tail|head-tail (Sun et al.: the first 128 and the last 382 of the 510 tokens left beside [CLS] and [SEP] at max-length 512).",
            o => o.Truncation is { } t ? TruncationName(t) : null, (o, v) => o with { Truncation = ParseTruncation(v) }),
        Text("head-tokens", "Text: tokens kept from the start with --truncation head-tail (default: 128/510 of the budget).",
            o => o.HeadTokens?.ToString(Inv), (o, v) => o with { HeadTokens = Int(v, min: 0, max: OptionRanges.MaxTextLength) }),
        Text("pooling", "Text: what feeds the classifier: cls (pooled [CLS] output) or mean (mean of the token vectors).",
            o => o.Pooling?.ToString().ToLowerInvariant(), (o, v) => o with { Pooling = Enum<TextPooling>(v) }),
        Text("text-column", "Text: CSV/TSV column (JSON Lines key) holding the document.", o => o.TextColumn, (o, v) => o with { TextColumn = NonEmpty(v) }),
        Text("label-column", "Text: CSV/TSV column (JSON Lines key) holding the class.", o => o.LabelColumn, (o, v) => o with { LabelColumn = NonEmpty(v) }),
    ];

    /// <summary>Looks a setting up by name (case-insensitive); null when unknown.</summary>
    public static OptionDef? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The options as name → text, for writing the resolved configuration.</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> Describe(FineTuneOptions options) =>
        All.Select(d => new KeyValuePair<string, string?>(d.Name, d.Get(options))).ToList();

    private static OptionDef Text(string name, string help, Func<FineTuneOptions, string?> get, Func<FineTuneOptions, string, FineTuneOptions> set) =>
        new(name, help, get, set, OnlyFor: ModelTask.Text);

    private static string FreezeName(string v)
    {
        var name = NonEmpty(v).Trim().ToLowerInvariant();
        // Checked against the model by OptionsValidator; here only the form.
        bool layer = name.StartsWith("layer", StringComparison.Ordinal) && int.TryParse(name[5..], NumberStyles.None, Inv, out _);
        return layer || name is "none" or "stem" or "embeddings" or "backbone"
            ? name
            : throw new FormatException("is not one of none|stem|embeddings|layerN|backbone");
    }

    private static string TruncationName(TruncationMode mode) => mode == TruncationMode.HeadTail ? "head-tail" : mode.ToString().ToLowerInvariant();

    private static TruncationMode ParseTruncation(string v) => v.Trim().ToLowerInvariant() switch
    {
        "head" => TruncationMode.Head,
        "tail" => TruncationMode.Tail,
        "head-tail" or "headtail" or "head+tail" => TruncationMode.HeadTail,
        _ => throw new FormatException("is not one of head|tail|head-tail"),
    };

    private static string D(double v) => v.ToString("R", Inv);

    private static FineTuneOptions ParseLr(FineTuneOptions o, string v)
    {
        var parts = v.Split(':');
        if (parts.Length == 1) return o with { Lr = Double(v, positive: true, max: OptionRanges.MaxLr), LrLow = null };
        if (parts.Length != 2) throw new FormatException("is not a number or LOW:HIGH");
        double low = Double(parts[0], positive: true, max: OptionRanges.MaxLr), high = Double(parts[1], positive: true, max: OptionRanges.MaxLr);
        if (low > high) throw new FormatException("has LOW above HIGH");
        return o with { Lr = high, LrLow = low };
    }

    private static string NonEmpty(string v) =>
        string.IsNullOrWhiteSpace(v) ? throw new FormatException("must not be empty") : v;

    private static int Int(string v, int min, int max = int.MaxValue)
    {
        if (!int.TryParse(v.Trim(), NumberStyles.Integer, Inv, out var x))
            throw new FormatException(long.TryParse(v.Trim(), NumberStyles.Integer, Inv, out _) ? $"must be at most {max}" : "is not a whole number");
        if (x < min) throw new FormatException($"must be at least {min}");
        return x <= max ? x : throw new FormatException($"must be at most {max}");
    }

    private static double Double(string v, bool positive = false, double max = double.PositiveInfinity, bool maxExclusive = false)
    {
        if (!double.TryParse(v.Trim(), NumberStyles.Float, Inv, out var x) || !double.IsFinite(x)) throw new FormatException("is not a number");
        if (positive && x <= 0) throw new FormatException("must be greater than 0");
        if (!positive && x < 0) throw new FormatException("must not be negative");
        if (maxExclusive ? x >= max : x > max) throw new FormatException(maxExclusive ? $"must be below {D(max)}" : $"must be at most {D(max)}");
        return x;
    }

    private static bool Bool(string v) => v.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new FormatException("is not true or false"),
    };

    private static T Enum<T>(string v) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(v.Trim(), ignoreCase: true, out var x) && System.Enum.IsDefined(x) && !int.TryParse(v, out _)
            ? x
            : throw new FormatException("is not one of " + string.Join("|", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant())));

    private static string OneOf(string v, params string[] allowed) =>
        allowed.Contains(v.Trim().ToLowerInvariant()) ? v.Trim().ToLowerInvariant() : throw new FormatException("is not one of " + string.Join("|", allowed));
}
