using SharpTune.Data;
using SharpTune.Distributed;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// What every image job needs before training: the dataset opened (bad files reported), the model prepared (weights,
/// new head, head-row reuse), the loaders with the model's preprocessing, and the loss settings. Shared by
/// <see cref="FineTuneJob"/> and <see cref="LrFindJob"/>; disposing it frees the model, loaders and class weights.
/// </summary>
public sealed class ImageRunSetup : IDisposable
{
    private readonly ImageLoader _trainLoader;
    private readonly ImageLoader _testLoader;
    private readonly Tensor? _classWeights;
    private readonly ICommunicator _group;

    /// <summary>
    /// Opens the data and builds the model and loaders for <paramref name="options"/>. In a group of several processes
    /// (<paramref name="group"/>), the loaders take this process's part of every batch, threads are capped so the
    /// processes of a host do not oversubscribe it, and <c>--sync-bn</c> synchronises BatchNorm over the group.
    /// </summary>
    /// <param name="options">The run's options.</param>
    /// <param name="observer">Where progress and warnings go.</param>
    /// <param name="group">The processes of a data-parallel run (null = this one).</param>
    /// <param name="prepare">Builds the model for the classes (default: the zoo's ResNet, <see cref="ModelSetup.Prepare"/>).</param>
    public ImageRunSetup(FineTuneOptions options, IRunObserver observer, ICommunicator? group = null,
        Func<FineTuneOptions, IReadOnlyList<string>, PreparedModel>? prepare = null)
    {
        _group = group ??= SingleProcess.Instance;
        set_num_threads(ThreadBudget.For(options.Threads, group));
        Data = ImageFolder.Open(options.Data!, options.BadFiles);
        observer.Info($"data: {Data.Root}: {Data.Train.Samples.Count} train / {Data.Test.Samples.Count} {Data.TestSplitName} images, {Classes.Count} classes");
        foreach (var bad in Data.BadImages) observer.Warning($"skipped {bad}");
        foreach (var link in Data.SkippedLinks) observer.Warning($"link not followed: {link}");

        Prepared = (prepare ?? ModelSetup.Prepare)(options, Classes);
        // Mixed precision and synchronised BatchNorm need models whose layers run through MixedPrecision.
        if (options.Precision.IsBf16())
        {
            if (Prepared.Model is not Models.IMixedPrecisionModel mixed) throw Unsupported("precision");
            mixed.ComputeType = ScalarType.BFloat16;
        }
        if (options.SyncBn)
        {
            if (Prepared.Model is not Models.ResNet resnet) throw Unsupported("sync-bn");
            resnet.SyncBatchNormGroup = group;
        }
        if (Prepared.Load is not null) observer.Info("weights: " + Prepared.Load.Summary());
        foreach (var row in Prepared.ReusedRows)
            observer.Info($"head row {row.TargetIndex} '{row.TargetClass}' reused from '{row.SourceClass}' (row {row.SourceIndex})");

        Size = options.Size ?? Prepared.Entry.Config.InputSize;
        var normalization = Normalization = Prepared.Entry.Config.Normalization
            ?? throw new InvalidOperationException($"image model '{Prepared.Entry.Name}' has no normalisation");
        long cacheBytes = (long)options.CacheMb * 1024 * 1024;
        var shard = group.Size > 1 ? new DataShard(group.Rank, group.Size) : null;
        int workers = group.Size > 1 ? ThreadBudget.For(options.Workers, group) : options.Workers;
        BatchSize = BatchSizeFor(options.BatchSize, Data.Train.Samples.Count, Size, observer);
        // A last training batch of one example would give training-mode BatchNorm one value per channel at 1×1 maps
        // (NaN running variance); sharded, a last batch with fewer examples than processes would leave some without
        // data. Either is left out (every process decides the same from the sizes alone).
        int trainRemainder = Data.Train.Samples.Count % BatchSize;
        bool dropLast = trainRemainder == 1 || shard is not null && trainRemainder > 0 && trainRemainder < group.Size;
        // Two batches ahead keep the batch wait near zero (0.06 % of a 224-px epoch) while holding half the buffers of
        // four: at batch 128 and 224 px each batch is 77 MB, per loader.
        _trainLoader = new ImageLoader(Data.Train.Samples, ImageTransforms.TrainD2l(Size, normalization),
            new LoaderOptions(BatchSize, Shuffle: true, options.Seed, workers, Prefetch: Prefetch, CacheBytes: cacheBytes, DropLast: dropLast, Shard: shard));
        _testLoader = new ImageLoader(Data.Test.Samples, ImageTransforms.EvalD2l(Size, normalization),
            new LoaderOptions(BatchSize, Shuffle: false, options.Seed, workers, Prefetch: Prefetch, CacheBytes: cacheBytes, Shard: shard));
        // Files that pass the header probe but fail to decode are found while loading: report each once, then go on.
        _trainLoader.BadImageFound += bad => observer.Warning($"skipped {bad}");
        _testLoader.BadImageFound += bad => observer.Warning($"skipped {bad}");
        Train = new ImageBatchSource(_trainLoader, Data.Train.Samples.Count);
        Test = new ImageBatchSource(_testLoader, Data.Test.Samples.Count);

        _classWeights = options.ClassWeights == ClassWeightMode.Auto
            ? tensor(ClassWeighting.Balanced(Data.Train.Samples.Select(s => s.Label).ToList(), Classes.Count))
            : null;
        bool batchNormTrains = options.Method == Training.TuningMethod.Full && (options.Freeze != "backbone" || options.TrainBn);
        Settings = new TrainerSettings(options.LossReduction, new ClassificationObjective(_classWeights, options.LabelSmoothing), options.Accumulate,
            group.Size > 1 ? group : null, MinTrainBatch: batchNormTrains ? 2 : 1);
    }

    /// <summary>
    /// The batch size the run uses: <paramref name="requested"/>, or the training set's size when that is smaller
    /// (said, and saved in the configuration as what ran). One batch's pixels must fit one buffer of at most
    /// <see cref="Array.MaxLength"/> floats.
    /// </summary>
    private static int BatchSizeFor(int requested, int trainExamples, int size, IRunObserver observer)
    {
        if (trainExamples < 2)
            throw new DataException($"the training split has {trainExamples} usable image{(trainExamples == 1 ? "" : "s")}; fine-tuning needs at least 2");
        int batch = requested;
        if (batch > trainExamples)
        {
            observer.Warning($"--batch-size {requested} is larger than the {trainExamples} training images; using {trainExamples}");
            batch = trainExamples;
        }
        long floats = (long)batch * 3 * size * size;
        if (floats > Array.MaxLength)
            throw new Configuration.OptionsException($"--batch-size: {batch} images of {size}x{size} px make a batch of {floats:N0} floats, " +
                                                     $"more than one buffer holds ({Array.MaxLength:N0}); lower --batch-size or --size");
        return batch;
    }

    /// <summary>Examples per batch in this run (the requested size, clamped to the training set's).</summary>
    public int BatchSize { get; }

    private Configuration.OptionsException Unsupported(string option)
    {
        var name = Prepared.Entry.Name;
        Prepared.Model.Dispose();
        return new Configuration.OptionsException($"--{option}: not supported by '{name}'");
    }

    /// <summary>Batches each loader prepares ahead of training.</summary>
    public const int Prefetch = 2;

    /// <summary>The dataset.</summary>
    public ImageFolderSplits Data { get; }

    /// <summary>Class names.</summary>
    public IReadOnlyList<string> Classes => Data.Classes;

    /// <summary>The model and how it was made.</summary>
    public PreparedModel Prepared { get; }

    /// <summary>Input normalisation of the model's pretrained config.</summary>
    public Models.Normalization Normalization { get; }

    /// <summary>Crop size.</summary>
    public int Size { get; }

    /// <summary>Training batches (augmented, shuffled per epoch).</summary>
    public IBatchSource Train { get; }

    /// <summary>Test batches (resize + centre crop).</summary>
    public IBatchSource Test { get; }

    /// <summary>Loss and stepping settings.</summary>
    public TrainerSettings Settings { get; }

    /// <summary>
    /// Files found bad while loading (beyond those found when opening the data) by every process of the group — each
    /// meets those of its own parts of the batches — and the examples that decoded. In a group this is a collective:
    /// every process calls it, at the same point.
    /// </summary>
    public LoadingOutcome GatherLoadingOutcome()
    {
        var trainBad = _group.AllGather(_trainLoader.BadImagesSeen.Select(b => b.Path).ToList());
        var testBad = _group.AllGather(_testLoader.BadImagesSeen.Select(b => b.Path).ToList());
        return new LoadingOutcome([.. trainBad, .. testBad], Data.Train.Samples.Count - trainBad.Count, Data.Test.Samples.Count - testBad.Count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _trainLoader.Dispose();
        _testLoader.Dispose();
        _classWeights?.Dispose();
        Prepared.Model.Dispose();
    }
}

/// <summary>What loading met over a whole run.</summary>
/// <param name="BadImagePaths">Files that failed to decode while loading, train then test.</param>
/// <param name="TrainExamples">Training examples that decoded.</param>
/// <param name="TestExamples">Test examples that decoded.</param>
public sealed record LoadingOutcome(IReadOnlyList<string> BadImagePaths, int TrainExamples, int TestExamples);
