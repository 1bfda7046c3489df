using System.Globalization;
using SharpTune.Data;
using SharpTune.Distributed;
using SharpTune.Inference;
using SharpTune.IO;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Text;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Families.Text;

/// <summary>
/// Text classification with a BERT encoder (Sun et al. 2019's recipe by default, see
/// <see cref="FineTuneOptions.TextRecipe"/>): a text dataset (folders of .txt files or CSV/TSV/JSON Lines tables) →
/// WordPiece encoding → BERT with a new head; the run keeps <c>vocab.txt</c> and loads back as <see cref="TextClassifier"/>.
/// </summary>
public sealed class TextFamily : IModelFamily
{
    /// <inheritdoc />
    public string Architecture => TextModelInfo.BertArchitecture;

    /// <inheritdoc />
    public bool Handles(ZooEntry entry) => entry.Text is not null;

    /// <summary>Sun et al.'s recipe (<see cref="FineTuneOptions.TextRecipe"/>).</summary>
    public FineTuneOptions Recipe(string model) => FineTuneOptions.TextRecipe(model);

    /// <inheritdoc />
    public FamilyRun Open(FineTuneOptions options, IRunObserver observer, ICommunicator group) => new TextFamilyRun(options, observer, group);

    /// <inheritdoc />
    public InputKind Inputs => InputKind.Texts;

    /// <inheritdoc />
    public IRunClassifier Load(RunDirectory run) => new Loaded(TextClassifier.Load(run.Path));

    /// <inheritdoc />
    public RunEvaluation Evaluate(RunDirectory run, string dataPath, int batchSize)
    {
        if (!Directory.Exists(dataPath) && !File.Exists(dataPath))
            throw new Configuration.OptionsException($"--data: folder or table file '{dataPath}' does not exist");
        using var model = TextClassifier.Load(run.Path);
        // The table columns the run was trained with.
        var saved = Configuration.YamlConfig.Read(run.ConfigFile).ToDictionary(kv => kv.Key, kv => kv.Value);
        var columns = new TextColumns(saved.GetValueOrDefault("text-column", "text"), saved.GetValueOrDefault("label-column", "label"));
        var split = TextDataset.OpenForEvaluation(dataPath, model.Classes, columns);
        if (split.Samples.Count == 0) throw new DataException($"{split.Path}: no usable documents");
        var result = Evaluation.Run(model.Module, model.Batches(split.Samples, batchSize));
        return new RunEvaluation(result, model.Classes, split.Path, split.BadRecords.Select(b => b.ToString()).ToList());
    }

    /// <inheritdoc />
    public Export.ExportResult Export(RunDirectory run, Export.ExportFormat format, string? output, Export.OnnxExportOptions onnx)
    {
        using var model = TextClassifier.Load(run.Path);
        return SharpTune.Export.RunExporter.Export(model, format, output, onnx);
    }

    private sealed class Loaded(TextClassifier model) : IRunClassifier
    {
        public IReadOnlyList<string> Classes => model.Classes;

        public int MaxBatchSize { get; set; } = 32; // texts are batched by the classifier itself

        public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> inputs, int topK) => model.PredictBatch(inputs, topK);

        public void Dispose() => model.Dispose();
    }
}

/// <summary>A text run's data, tokenizer and model.</summary>
internal sealed class TextFamilyRun : FamilyRun
{
    private readonly TextDatasetSplits _data;
    private readonly TextModelSetup _setup;
    private readonly TextTruncation _truncation;
    private readonly int _maxLength;
    private readonly Tensor? _classWeights;

    public TextFamilyRun(FineTuneOptions options, IRunObserver observer, ICommunicator group)
    {
        set_num_threads(ThreadBudget.For(options.Threads, group));
        var entry = ModelZoo.Get(options.Model);
        ModelName = entry.Name;
        _data = TextDataset.Open(options.Data!, new TextColumns(options.TextColumn!, options.LabelColumn!), options.BadFiles);
        observer.Info($"data: {_data.Root} ({_data.Layout.ToString().ToLowerInvariant()}): {_data.Train.Samples.Count} train / " +
                      $"{_data.Test.Samples.Count} {_data.Test.Name} documents, {Classes.Count} classes ({string.Join(", ", Classes)})");
        foreach (var bad in _data.BadRecords) observer.Warning($"skipped {bad}");
        BatchSize = options.BatchSize;
        if (BatchSize > _data.Train.Samples.Count)
        {
            observer.Warning($"--batch-size {options.BatchSize} is larger than the {_data.Train.Samples.Count} training documents; using {_data.Train.Samples.Count}");
            BatchSize = _data.Train.Samples.Count;
        }

        manual_seed(options.Seed);
        _setup = TextModels.Create(entry, Classes.Count, options.Pooling!.Value, options.Init == InitMode.Pretrained, options.Weights);
        if (_setup.Load is not null) observer.Info("weights: " + _setup.Load.Summary());
        if (options.Precision.IsBf16()) _setup.Model.ComputeType = ScalarType.BFloat16;

        var encoder = TextEncoder.FromVocabulary(_setup.Vocabulary);
        _truncation = new TextTruncation(options.Truncation!.Value, options.HeadTokens);
        _maxLength = options.MaxLength!.Value;
        var shard = group.Size > 1 ? new DataShard(group.Rank, group.Size) : null;
        var train = TextBatchSource.Create(_data.Train.Samples, encoder, _maxLength, _truncation, BatchSize, shuffle: true, options.Seed, shard);
        Train = train;
        Test = TextBatchSource.Create(_data.Test.Samples, encoder, _maxLength, _truncation, BatchSize, shuffle: false, options.Seed, shard);
        observer.Info(string.Create(CultureInfo.InvariantCulture,
            $"tokens: mean {train.MeanLength:0} per training document at max-length {_maxLength}, {train.TruncatedShare(_maxLength):P0} truncated ({TruncationName()})"));
        _classWeights = ClassWeights(options);
        Settings = new TrainerSettings(options.LossReduction, new ClassificationObjective(_classWeights, options.LabelSmoothing),
            options.Accumulate, group.Size > 1 ? group : null);
    }

    public override nn.Module<Tensor, Tensor> Model => _setup.Model;
    public override string ModelName { get; }
    public override IReadOnlyList<string> Classes => _data.Classes;
    public override string DatasetName => Path.GetFileName(_data.Root.TrimEnd('/'));
    public override IBatchSource Train { get; }
    public override IBatchSource Test { get; }
    public override TrainerSettings Settings { get; }
    public override int BatchSize { get; }

    /// <summary>The tokenizer's vocabulary, beside the weights from the start.</summary>
    public override void WriteModelFiles(RunDirectory run) => AtomicFile.Write(run.VocabFile, s => s.Write(_setup.Vocabulary));

    public override object ModelInfo(RunDirectory run) =>
        new TextModelInfo(Training.ModelInfo.CurrentFormatVersion, ModelName, TextModelInfo.BertArchitecture, _setup.Config, _setup.Model.Pooling,
            Classes, _maxLength, _truncation.Mode, _truncation.HeadTokens, Path.GetFileName(run.WeightsFile), Path.GetFileName(run.VocabFile));

    public override DataOutcome GatherDataOutcome() =>
        new(_data.Train.Samples.Count, _data.Test.Samples.Count, [], _data.BadRecords.Select(b => b.ToString()).ToList(), []);

    public override void Dispose()
    {
        _classWeights?.Dispose();
        _setup.Model.Dispose();
    }

    private Tensor? ClassWeights(FineTuneOptions options) => options.ClassWeights == ClassWeightMode.Auto
        ? tensor(ClassWeighting.Balanced(_data.Train.Samples.Select(s => s.Label).ToList(), Classes.Count))
        : null;

    private string TruncationName() => _truncation.Mode switch
    {
        TruncationMode.HeadTail => $"head {_truncation.HeadFor(_maxLength - 2)} + tail {_maxLength - 2 - _truncation.HeadFor(_maxLength - 2)}",
        _ => _truncation.Mode.ToString().ToLowerInvariant(),
    };
}
