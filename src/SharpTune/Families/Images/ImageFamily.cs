using SharpTune.Export;
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
        using var model = SharpTuneModel.Load(run.Path);
        return ImageEvaluation.Run(model, model.Module, dataPath, batchSize);
    }

    /// <inheritdoc />
    public ExportResult Export(RunDirectory run, ExportFormat format, string? output, OnnxExportOptions onnx)
    {
        using var model = SharpTuneModel.Load(run.Path);
        return RunExporter.Export(model, format, output, onnx);
    }

    private sealed class Loaded(SharpTuneModel model) : IRunClassifier
    {
        public IReadOnlyList<string> Classes => model.Classes;

        public int MaxBatchSize { get => model.MaxBatchSize; set => model.MaxBatchSize = value; }

        public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> inputs, int topK) => model.PredictBatch(inputs, topK);

        public void Dispose() => model.Dispose();
    }
}
