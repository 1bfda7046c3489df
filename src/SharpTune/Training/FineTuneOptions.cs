using SharpTune.Data;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Text;

namespace SharpTune.Training;

/// <summary>
/// Every setting of a fine-tuning run. Defaults are the d2l.ai "Fine-Tuning" recipe: pretrained ResNet-18, new
/// Xavier-initialised head, SGD without momentum, lr 5e-5 with the head at ×10, weight decay 1e-3, summed loss,
/// batch 128, 5 epochs, RandomResizedCrop(224)+flip for training and Resize(256)+CenterCrop(224) for testing.
/// The same names (kebab-case) are the CLI options and the YAML keys; see <see cref="Configuration.OptionTable"/>.
/// Text models start from <see cref="TextRecipe"/> instead (Sun et al. 2019); the text-only settings are null for
/// image models and must stay so.
/// </summary>
public sealed record FineTuneOptions
{
    /// <summary>Dataset folder (<c>DIR/{train,test|val}/&lt;class&gt;/…</c>); null = the embedded default dataset.</summary>
    public string? Data { get; init; }

    /// <summary>Zoo model name.</summary>
    public string Model { get; init; } = "resnet18";

    /// <summary>Weights file (.safetensors/.pth, torchvision layout) for the body instead of the zoo's bundled weights.</summary>
    public string? Weights { get; init; }

    /// <summary>Crop size for training and testing; null = the model's pretrained input size. Test resize = size×256/224.</summary>
    public int? Size { get; init; }

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Learning rate of the body (and of everything with one group).</summary>
    public double Lr { get; init; } = 5e-5;

    /// <summary>The head's learning rate is <see cref="Lr"/> times this.</summary>
    public double HeadLrMult { get; init; } = 10;

    /// <summary>Two parameter groups (body, head) or, for text, layer-wise groups; false = one group at <see cref="Lr"/> (the scratch recipe).</summary>
    public bool ParamGroups { get; init; } = true;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>SGD weight decay (L2, PyTorch semantics).</summary>
    public double WeightDecay { get; init; } = 1e-3;

    /// <summary>How per-example losses are combined before backward (d2l: sum).</summary>
    public LossReduction LossReduction { get; init; } = LossReduction.Sum;

    /// <summary>
    /// How much of the body is frozen, up to and including the named part: for a ResNet
    /// <c>none|stem|layer1…layer4|backbone</c> (<see cref="Tuning.FreezeLevels"/>), for BERT
    /// <c>none|embeddings|layer1…layerN|backbone</c> (<see cref="Models.Bert.BertForSequenceClassification.FreezeTargetsFor"/>).
    /// </summary>
    public string Freeze { get; init; } = "none";

    /// <summary>Initialise head rows of shared classes from this SharpTune run directory or weights file.</summary>
    public string? ReuseHead { get; init; }

    /// <summary>Class names (one per line) of the <see cref="ReuseHead"/> weights file's classifier.</summary>
    public string? ReuseHeadClasses { get; init; }

    /// <summary>Pretrained body or random initialisation.</summary>
    public InitMode Init { get; init; } = InitMode.Pretrained;

    /// <summary>Seed of every random choice (initialisation, shuffling, augmentation).</summary>
    public int Seed { get; init; }

    /// <summary>CPU threads for tensor operations.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Compute device: <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Background threads decoding and augmenting images.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Megabytes of decoded images kept in memory between epochs (0 = decode every epoch).</summary>
    public int CacheMb { get; init; } = 1024;

    /// <summary>What to do with files that are not readable images: <c>skip</c> (report them) or <c>fail</c>.</summary>
    public BadFilePolicy BadFiles { get; init; } = BadFilePolicy.Skip;

    /// <summary>Text: longest input in tokens, [CLS] and [SEP] included.</summary>
    public int? MaxLength { get; init; }

    /// <summary>Text: how documents longer than <see cref="MaxLength"/> are cut.</summary>
    public TruncationMode? Truncation { get; init; }

    /// <summary>Text: tokens kept from the start with head+tail truncation; null = 128/510 of the budget (Sun et al.).</summary>
    public int? HeadTokens { get; init; }

    /// <summary>Text: what feeds the classifier, the pooled [CLS] output or the mean of the token vectors.</summary>
    public TextPooling? Pooling { get; init; }

    /// <summary>Share of all steps spent warming the learning rate up linearly under the linear schedule (then it decays linearly to 0).</summary>
    public double WarmupRatio { get; init; }

    /// <summary>Largest global L2 norm of the gradients (0 = no clipping).</summary>
    public double ClipNorm { get; init; }

    /// <summary>AdamW's β2: 0.99 in the image recipes (fastai), 0.999 in the text recipe (BERT).</summary>
    public double AdamBeta2 { get; init; } = 0.99;

    /// <summary>Text: name of the text column (CSV/TSV header) or key (JSON Lines).</summary>
    public string? TextColumn { get; init; }

    /// <summary>Text: name of the label column or key.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Lower end of a discriminative learning-rate range (<c>--lr LOW:HIGH</c>): stem at LOW, head at <see cref="Lr"/>, geometric in between.</summary>
    public double? LrLow { get; init; }

    /// <summary>The recipe: d2l (one phase) or fastai (frozen-body warm-up, then discriminative one-cycle).</summary>
    public RecipeKind Recipe { get; init; } = RecipeKind.D2l;

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Linear warmup of the cosine schedule, in epochs (fractions allowed).</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>Epochs between decays of the step schedule.</summary>
    public int StepEpochs { get; init; } = 2;

    /// <summary>Decay factor of the step schedule.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>Layer-wise learning-rate decay ξ (each depth group trains at ξ times the group above; null = off; the text recipe uses Sun et al.'s 0.95).</summary>
    public double? LayerDecay { get; init; }

    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>fastai recipe: epochs of head-only training before unfreezing.</summary>
    public int FreezeEpochs { get; init; } = 1;

    /// <summary>Keep BatchNorm layers of frozen parts training (fastai's <c>train_bn</c>).</summary>
    public bool TrainBn { get; init; }

    /// <summary>Label smoothing ε of the cross-entropy.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Class weights of the loss.</summary>
    public ClassWeightMode ClassWeights { get; init; } = ClassWeightMode.None;

    /// <summary>Stop when test accuracy has not improved for this many epochs and keep the best epoch's weights (0 = off).</summary>
    public int EarlyStopping { get; init; }

    /// <summary>
    /// Data-parallel runs: BatchNorm layers normalise with the statistics of the global batch over all processes
    /// (PyTorch's SyncBatchNorm) instead of each process's part; no effect in a single process.
    /// </summary>
    public bool SyncBn { get; init; }

    /// <summary>Compute precision: <c>fp32</c>, or <c>bf16</c> mixed precision (bf16 convolutions on CPUs with AVX512-BF16/AMX; fp32 weights, BatchNorm and loss).</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>Fine-tuning method: full (all unfrozen weights) or lora (low-rank adapters on frozen weights).</summary>
    public TuningMethod Method { get; init; } = TuningMethod.Full;

    /// <summary>LoRA rank r.</summary>
    public int LoraR { get; init; } = 8;

    /// <summary>LoRA alpha (the update is scaled by alpha / r).</summary>
    public double LoraAlpha { get; init; } = 16;

    /// <summary>Dropout on the LoRA path.</summary>
    public double LoraDropout { get; init; }

    /// <summary>Layers that get LoRA: module-name suffixes (comma-separated) or <c>re:REGEX</c>; null = the model's default.</summary>
    public string? LoraTargets { get; init; }

    /// <summary>Batches whose gradients are accumulated per optimiser step.</summary>
    public int Accumulate { get; init; } = 1;

    /// <summary>
    /// Sun et al.'s BERT fine-tuning recipe for a text model: AdamW, lr 2e-5 with layer-wise decay ξ = 0.95, weight
    /// decay 0.01, linear warm-up over 10% of the steps then linear decay, gradient clipping at 1.0, mean loss,
    /// batch 16, 3 epochs, 128 tokens with head+tail truncation, mean pooling (what all-MiniLM-L6-v2 was trained with).
    /// </summary>
    public static FineTuneOptions TextRecipe(string model = "minilm") => new()
    {
        Model = model, Recipe = RecipeKind.Sun2019,
        // AdamW at lr 2e-5 (BERT's β2), layer-wise decay 0.95, head at the base rate, weight decay 0.01, mean loss.
        Optimizer = OptimizerKind.AdamW, AdamBeta2 = 0.999, Lr = 2e-5, LayerDecay = 0.95, HeadLrMult = 1, WeightDecay = 0.01,
        LossReduction = LossReduction.Mean, BatchSize = 16, Epochs = 3,
        // Linear warm-up over 10 % of the steps then linear decay; gradients clipped at norm 1.
        Schedule = ScheduleKind.Linear, WarmupRatio = 0.1, ClipNorm = 1.0,
        MaxLength = 128, Truncation = TruncationMode.HeadTail, Pooling = TextPooling.Mean,
        TextColumn = "text",
        LabelColumn = "label",
    };

    /// <summary>The defaults for <paramref name="model"/>: its family's recipe (<see cref="TextRecipe"/> for text, d2l's for images).</summary>
    public static FineTuneOptions RecipeFor(string model) =>
        ModelZoo.Find(model) is null ? new FineTuneOptions { Model = model } : Families.ModelFamilies.For(model).Recipe(model);

    /// <summary>True when <see cref="Model"/> is a text model of the zoo.</summary>
    public bool IsText => ModelZoo.Find(Model)?.Task == ModelTask.Text;

    /// <summary>
    /// The scratch recipe on top of these options: random init, one parameter group (no layer-wise decay), no weights,
    /// no head reuse; lr 5e-4 for images (d2l), 1e-4 for text (a usual rate for training a small transformer).
    /// </summary>
    public FineTuneOptions AsScratch() =>
        this with
        {
            Init = InitMode.Scratch, ParamGroups = false, Lr = IsText ? 1e-4 : 5e-4, LrLow = null, LayerDecay = IsText ? LayerDecay : null,
            Weights = null, ReuseHead = null, ReuseHeadClasses = null,
            Recipe = IsText ? Recipe : RecipeKind.D2l, Schedule = IsText ? Schedule : ScheduleKind.Constant,
            Optimizer = IsText ? Optimizer : OptimizerKind.Sgd, Freeze = "none", Method = TuningMethod.Full,
            LoraR = Defaults.LoraR, LoraAlpha = Defaults.LoraAlpha, LoraDropout = Defaults.LoraDropout, LoraTargets = null,
        };

    private static readonly FineTuneOptions Defaults = new();
}
