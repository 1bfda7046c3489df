using SharpTune.Data;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;

namespace SharpTune.Training;

/// <summary>
/// Every setting of a fine-tuning run. Defaults are the d2l.ai "Fine-Tuning" recipe: pretrained ResNet-18, new
/// Xavier-initialised head, SGD without momentum, lr 5e-5 with the head at ×10, weight decay 1e-3, summed loss,
/// batch 128, 5 epochs, RandomResizedCrop(224)+flip for training and Resize(256)+CenterCrop(224) for testing.
/// The same names (kebab-case) are the CLI options and the YAML keys; see <see cref="Configuration.OptionTable"/>.
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

    /// <summary>Two parameter groups (body, head); false = one group at <see cref="Lr"/> (the scratch recipe).</summary>
    public bool ParamGroups { get; init; } = true;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>SGD weight decay (L2, PyTorch semantics).</summary>
    public double WeightDecay { get; init; } = 1e-3;

    /// <summary>How per-example losses are combined before backward (d2l: sum).</summary>
    public LossReduction LossReduction { get; init; } = LossReduction.Sum;

    /// <summary>How much of the body is frozen.</summary>
    public FreezeLevel Freeze { get; init; } = FreezeLevel.None;

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

    /// <summary>timm-style layer-wise learning-rate decay ξ (head at lr, each depth group below ×ξ); null = off.</summary>
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

    /// <summary>d2l's scratch recipe with these data settings: random init, SGD, one group, constant lr 5e-4, nothing frozen, no weights or head reuse.</summary>
    public FineTuneOptions AsScratch() =>
        this with
        {
            Init = InitMode.Scratch, ParamGroups = false, Lr = 5e-4, LrLow = null, LayerDecay = null, Weights = null,
            ReuseHead = null, ReuseHeadClasses = null, Recipe = RecipeKind.D2l, Schedule = ScheduleKind.Constant,
            Optimizer = OptimizerKind.Sgd, Freeze = FreezeLevel.None,
        };
}
