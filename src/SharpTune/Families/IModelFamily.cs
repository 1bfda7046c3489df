using SharpTune.Distributed;
using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Tuning;
using static TorchSharp.torch;

namespace SharpTune.Families;

/// <summary>
/// A kind of model SharpTune fine-tunes (images, text, …): the parts the one run pipeline
/// (<see cref="FineTuneJob"/>) asks of it. The pipeline itself knows nothing of pixels or tokens: the family opens the
/// data as batch sources, builds the model behind its <see cref="IModelContract"/>, gives the objective, and says
/// what it writes into the run directory and how inference loads a run back. A new family is a folder with one
/// implementation of this interface and a line in <see cref="ModelFamilies"/>.
/// </summary>
public interface IModelFamily
{
    /// <summary>The family's name as <c>model.json</c>'s <c>architecture</c> says it (e.g. <c>resnet</c>, <c>bert</c>).</summary>
    string Architecture { get; }

    /// <summary>True when <paramref name="entry"/> (a zoo model) belongs to this family.</summary>
    bool Handles(ZooEntry entry);

    /// <summary>The recipe defaults for <paramref name="model"/> (what a user who sets nothing gets).</summary>
    FineTuneOptions Recipe(string model);

    /// <summary>
    /// Opens the data and builds the model of a run (seeded with the run's seed): everything the pipeline trains
    /// with. Nothing is written yet. In a group of processes every process opens its part of the data.
    /// </summary>
    FamilyRun Open(FineTuneOptions options, IRunObserver observer, ICommunicator group);

    /// <summary>What the family's inputs are at inference: image files or texts.</summary>
    InputKind Inputs { get; }

    /// <summary>Loads a finished run of this family for inference (the model and its preprocessing).</summary>
    IRunClassifier Load(RunDirectory run);

    /// <summary>
    /// Evaluates a finished run on the test (or val) split of <paramref name="dataPath"/>, or on that folder or file
    /// itself, with the run's preprocessing.
    /// </summary>
    RunEvaluation Evaluate(RunDirectory run, string dataPath, int batchSize);

    /// <summary>Writes the run's model for use outside SharpTune (the formats the family supports).</summary>
    /// <exception cref="Configuration.OptionsException">A format the family does not export.</exception>
    Export.ExportResult Export(RunDirectory run, Export.ExportFormat format, string? output, Export.OnnxExportOptions onnx);
}

/// <summary>What a family's models take at inference.</summary>
public enum InputKind
{
    /// <summary>Paths of image files.</summary>
    ImageFiles,
    /// <summary>The texts themselves.</summary>
    Texts,
}

/// <summary>A run evaluated on a dataset.</summary>
/// <param name="Result">Loss, labels and predictions.</param>
/// <param name="Classes">Class names.</param>
/// <param name="Split">The split (folder or file) evaluated.</param>
/// <param name="LeftOut">Files or records left out, with reasons.</param>
public sealed record RunEvaluation(EvaluationResult Result, IReadOnlyList<string> Classes, string Split, IReadOnlyList<string> LeftOut);

/// <summary>A trained classifier loaded from a run, whatever its family: inputs are image paths or texts.</summary>
public interface IRunClassifier : IDisposable
{
    /// <summary>Class names, in output order.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>Inputs per forward pass.</summary>
    int MaxBatchSize { get; set; }

    /// <summary>The top <paramref name="topK"/> classes of each input.</summary>
    IReadOnlyList<IReadOnlyList<Inference.Prediction>> PredictBatch(IReadOnlyList<string> inputs, int topK);
}

/// <summary>What a family opened for one run: the model, the data and the family's files. Disposing frees them.</summary>
public abstract class FamilyRun : IDisposable
{
    /// <summary>The model (outputs = class logits).</summary>
    public abstract nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The model's contract (the same object as <see cref="Model"/>).</summary>
    public IModelContract Contract => (IModelContract)Model;

    /// <summary>The zoo name the run starts from.</summary>
    public abstract string ModelName { get; }

    /// <summary>Class names, in output order.</summary>
    public abstract IReadOnlyList<string> Classes { get; }

    /// <summary>Folder name of the dataset (for titles).</summary>
    public abstract string DatasetName { get; }

    /// <summary>Training batches.</summary>
    public abstract IBatchSource Train { get; }

    /// <summary>Evaluation batches.</summary>
    public abstract IBatchSource Test { get; }

    /// <summary>Loss, metrics and stepping.</summary>
    public abstract TrainerSettings Settings { get; }

    /// <summary>The batch size the run uses (the request clamped to the training set), saved as what ran.</summary>
    public abstract int BatchSize { get; }

    /// <summary>Head rows initialised from another classifier.</summary>
    public virtual IReadOnlyList<ReusedRow> ReusedRows => [];

    /// <summary>Files the family keeps beside the weights from the start (e.g. a tokenizer's vocabulary).</summary>
    public virtual void WriteModelFiles(RunDirectory run) { }

    /// <summary>The contents of <c>model.json</c> once training is done.</summary>
    public abstract object ModelInfo(RunDirectory run);

    /// <summary>
    /// What loading the data met over the whole run (examples used, files or records left out, links not followed).
    /// In a group of processes this is a collective: every process calls it at the same point.
    /// </summary>
    public abstract DataOutcome GatherDataOutcome();

    /// <inheritdoc />
    public abstract void Dispose();
}

/// <summary>What a run's data turned out to be.</summary>
/// <param name="TrainExamples">Training examples used.</param>
/// <param name="TestExamples">Evaluation examples used.</param>
/// <param name="BadImages">Image files left out.</param>
/// <param name="BadRecords">Text records left out (file:line: reason); null for image data.</param>
/// <param name="SkippedLinks">Links in the dataset that were not followed.</param>
public sealed record DataOutcome(int TrainExamples, int TestExamples, IReadOnlyList<string> BadImages, IReadOnlyList<string>? BadRecords,
    IReadOnlyList<string> SkippedLinks);
