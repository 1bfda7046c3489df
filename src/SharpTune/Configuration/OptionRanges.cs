namespace SharpTune.Configuration;

/// <summary>
/// Upper bounds of the numeric settings, checked when an option is read (exit 2, nothing written). Each bound keeps a
/// value away from what breaks underneath — float32 overflow in the optimiser, array sizes past 2³¹, thousands of OS
/// threads — while staying far above any setting that trains well. The README's exit-code section lists them.
/// </summary>
public static class OptionRanges
{
    /// <summary>
    /// Crop size in pixels. One 2048-px image is 3·2048² floats (50 MB); past that a ResNet's activations for a single
    /// example exceed this machine kind's memory, and the batch buffer's element count nears 2³¹.
    /// </summary>
    public const int MaxSize = 2048;

    /// <summary>Epochs (and epoch counts of schedules, warm-up, early stopping).</summary>
    public const int MaxEpochs = 100_000;

    /// <summary>Examples per batch; a batch larger than the training set is clamped to it (and the run says so).</summary>
    public const int MaxBatchSize = 1 << 20;

    /// <summary>
    /// Learning rate. Rates above 1 already diverge for every recipe here; the bound (with <see cref="MaxHeadLrMult"/>)
    /// keeps lr × multiplier × gradient inside float32 (the optimisers compute in float32: 1e39 is infinity there).
    /// </summary>
    public const double MaxLr = 10;

    /// <summary>Head learning-rate multiplier (d2l uses 10; fastai-style ranges rarely exceed 100).</summary>
    public const double MaxHeadLrMult = 1000;

    /// <summary>Weight decay: at 1 the decay alone halves a weight within a few steps at usual rates.</summary>
    public const double MaxWeightDecay = 1;

    /// <summary>LoRA rank (the adapters of a 4096-wide layer are then as large as the layer).</summary>
    public const int MaxLoraR = 4096;

    /// <summary>LoRA alpha (scale alpha/r stays a float32-safe factor).</summary>
    public const double MaxLoraAlpha = 1e6;

    /// <summary>Batches accumulated per optimiser step.</summary>
    public const int MaxAccumulate = 4096;

    /// <summary>libtorch threads (more than the cores only adds contention; the bound stops absurd values).</summary>
    public const int MaxThreads = 1024;

    /// <summary>Image decoding threads: each holds decode buffers; more than 64 only adds contention, and very large
    /// counts fail inside the runtime when the OS refuses threads.</summary>
    public const int MaxWorkers = 64;

    /// <summary>Decoded-image cache in MB (1 TiB).</summary>
    public const int MaxCacheMb = 1 << 20;

    /// <summary>Text length in tokens (the position table of the model bounds it further).</summary>
    public const int MaxTextLength = 8192;

    /// <summary>Gradient-clipping norm.</summary>
    public const double MaxClipNorm = 1e6;

    /// <summary>Deepest nesting a YAML configuration may have (it is a flat mapping; 2 levels are needed).</summary>
    public const int MaxYamlDepth = 16;
}
