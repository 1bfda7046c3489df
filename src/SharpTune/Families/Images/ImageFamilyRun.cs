using SharpTune.Distributed;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Families.Images;

/// <summary>
/// An image run's data and model (<see cref="ImageRunSetup"/>) as the pipeline sees them. Image families other than
/// the ResNet one reuse it with their own model builder and <c>model.json</c>.
/// </summary>
public sealed class ImageFamilyRun : FamilyRun
{
    private readonly ImageRunSetup _setup;
    private readonly Func<ImageRunSetup, RunDirectory, object> _modelInfo;

    /// <summary>Opens the data and builds the model.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="observer">Progress and warnings.</param>
    /// <param name="group">The processes of the run.</param>
    /// <param name="prepare">Builds the model (default: the zoo's ResNet).</param>
    /// <param name="modelInfo">The run's <c>model.json</c> (default: the ResNet's <see cref="Training.ModelInfo"/>).</param>
    public ImageFamilyRun(FineTuneOptions options, IRunObserver observer, ICommunicator group,
        Func<FineTuneOptions, IReadOnlyList<string>, PreparedModel>? prepare = null, Func<ImageRunSetup, RunDirectory, object>? modelInfo = null)
    {
        _setup = new ImageRunSetup(options, observer, group, prepare);
        _modelInfo = modelInfo ?? ResNetInfo;
    }

    /// <inheritdoc />
    public override nn.Module<Tensor, Tensor> Model => _setup.Prepared.Model;

    /// <inheritdoc />
    public override string ModelName => _setup.Prepared.Entry.Name;

    /// <inheritdoc />
    public override IReadOnlyList<string> Classes => _setup.Classes;

    /// <inheritdoc />
    public override string DatasetName => Path.GetFileName(_setup.Data.Root.TrimEnd('/'));

    /// <inheritdoc />
    public override IBatchSource Train => _setup.Train;

    /// <inheritdoc />
    public override IBatchSource Test => _setup.Test;

    /// <inheritdoc />
    public override TrainerSettings Settings => _setup.Settings;

    /// <inheritdoc />
    public override int BatchSize => _setup.BatchSize;

    /// <inheritdoc />
    public override IReadOnlyList<Tuning.ReusedRow> ReusedRows => _setup.Prepared.ReusedRows;

    /// <inheritdoc />
    public override object ModelInfo(RunDirectory run) => _modelInfo(_setup, run);

    /// <inheritdoc />
    public override DataOutcome GatherDataOutcome()
    {
        var loading = _setup.GatherLoadingOutcome();
        var bad = _setup.Data.BadImages.Select(b => b.Path).Concat(loading.BadImagePaths).Distinct().ToList();
        return new DataOutcome(loading.TrainExamples, loading.TestExamples, bad, null, _setup.Data.SkippedLinks);
    }

    /// <inheritdoc />
    public override void Dispose() => _setup.Dispose();

    private static object ResNetInfo(ImageRunSetup setup, RunDirectory run)
    {
        var model = (Models.ResNet)setup.Prepared.Model;
        return new Training.ModelInfo(Training.ModelInfo.CurrentFormatVersion, setup.Prepared.Entry.Name, "resnet", model.Spec.Block, model.Spec.Layers,
            model.Spec.Widths, setup.Classes, setup.Normalization, setup.Size, FineTuneJob.ResizeFor(setup.Size), Path.GetFileName(run.WeightsFile));
    }
}
