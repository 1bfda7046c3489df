using SharpTune.Data;
using SharpTune.Distributed;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Families.Images;

/// <summary>
/// Image classification with a ResNet: an ImageFolder dataset through SharpTune's loaders (torchvision's d2l
/// transforms), the zoo's pretrained body with a new Xavier head, cross-entropy. Its runs load back as
/// <see cref="SharpTuneModel"/>.
/// </summary>
public sealed class ImageFamily : IModelFamily
{
    /// <inheritdoc />
    public string Architecture => "resnet";

    /// <inheritdoc />
    public bool Handles(ZooEntry entry) => entry.Spec is not null;

    /// <summary>d2l's recipe (see <see cref="FineTuneOptions"/>).</summary>
    public FineTuneOptions Recipe(string model) => new() { Model = model };

    /// <inheritdoc />
    public FamilyRun Open(FineTuneOptions options, IRunObserver observer, ICommunicator group) => new ImageFamilyRun(options, observer, group);

    /// <inheritdoc />
    public InputKind Inputs => InputKind.ImageFiles;

    /// <inheritdoc />
    public IRunClassifier Load(RunDirectory run) => new Loaded(SharpTuneModel.Load(run.Path));

    /// <inheritdoc />
    public RunEvaluation Evaluate(RunDirectory run, string dataPath, int batchSize)
    {
        if (!Directory.Exists(dataPath)) throw new Configuration.OptionsException($"--data: folder '{dataPath}' does not exist");
        using var model = SharpTuneModel.Load(run.Path);
        var split = OpenEvaluationSplit(dataPath);
        if (!split.Classes.SequenceEqual(model.Classes))
            throw new DataException($"{split.Directory}: classes [{string.Join(", ", split.Classes)}] differ from the model's [{string.Join(", ", model.Classes)}]");
        using var loader = new ImageLoader(split.Samples, ImageTransforms.EvalD2l(model.Info.InputSize, model.Info.Normalization),
            new LoaderOptions(batchSize, Shuffle: false, Seed: 0));
        model.Module.eval();
        var result = Evaluation.Run(model.Module, new ImageBatchSource(loader, split.Samples.Count));
        return new RunEvaluation(result, model.Classes, split.Directory, split.BadImages.Concat(loader.BadImagesSeen).Select(b => b.ToString()).ToList());
    }

    private static ImageFolder OpenEvaluationSplit(string dir)
    {
        bool hasSplits = Directory.Exists(Path.Combine(dir, "train")) || Directory.Exists(Path.Combine(dir, "test")) || Directory.Exists(Path.Combine(dir, "val"));
        if (!hasSplits) return ImageFolder.OpenSplit(dir);
        var test = Path.Combine(dir, "test");
        var val = Path.Combine(dir, "val");
        if (Directory.Exists(test)) return ImageFolder.OpenSplit(test);
        if (Directory.Exists(val)) return ImageFolder.OpenSplit(val);
        throw new DataException($"{dir}: no test or val split to evaluate");
    }

    private sealed class Loaded(SharpTuneModel model) : IRunClassifier
    {
        public IReadOnlyList<string> Classes => model.Classes;

        public int MaxBatchSize { get => model.MaxBatchSize; set => model.MaxBatchSize = value; }

        public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> inputs, int topK) => model.PredictBatch(inputs, topK);

        public void Dispose() => model.Dispose();
    }
}

/// <summary>An image run's data and model (<see cref="ImageRunSetup"/>) as the pipeline sees them.</summary>
internal sealed class ImageFamilyRun(FineTuneOptions options, IRunObserver observer, ICommunicator group) : FamilyRun
{
    private readonly ImageRunSetup _setup = new(options, observer, group);

    public override nn.Module<Tensor, Tensor> Model => _setup.Prepared.Model;
    public override string ModelName => _setup.Prepared.Entry.Name;
    public override IReadOnlyList<string> Classes => _setup.Classes;
    public override string DatasetName => Path.GetFileName(_setup.Data.Root.TrimEnd('/'));
    public override IBatchSource Train => _setup.Train;
    public override IBatchSource Test => _setup.Test;
    public override TrainerSettings Settings => _setup.Settings;
    public override int BatchSize => _setup.BatchSize;
    public override IReadOnlyList<Tuning.ReusedRow> ReusedRows => _setup.Prepared.ReusedRows;

    public override object ModelInfo(RunDirectory run)
    {
        var model = _setup.Prepared.Model;
        return new Training.ModelInfo(Training.ModelInfo.CurrentFormatVersion, ModelName, "resnet", model.Spec.Block, model.Spec.Layers,
            model.Spec.Widths, Classes, _setup.Normalization, _setup.Size, FineTuneJob.ResizeFor(_setup.Size), Path.GetFileName(run.WeightsFile));
    }

    public override DataOutcome GatherDataOutcome()
    {
        var loading = _setup.GatherLoadingOutcome();
        var bad = _setup.Data.BadImages.Select(b => b.Path).Concat(loading.BadImagePaths).Distinct().ToList();
        return new DataOutcome(loading.TrainExamples, loading.TestExamples, bad, null, _setup.Data.SkippedLinks);
    }

    public override void Dispose() => _setup.Dispose();
}
