using SharpTune.Models.Bert;
using SharpTune.Text;
using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Inference;

/// <summary>
/// A trained text classifier loaded from a run directory, with its tokenizer: the C# inference API for text runs.
/// <code>
/// using var model = TextClassifier.Load("runs/spam");
/// var top = model.Predict("WIN a FREE cruise!!!", topK: 2);
/// </code>
/// Safe for concurrent callers (forward passes are serialised).
/// </summary>
public sealed class TextClassifier : IDisposable
{
    private readonly Lock _gate = new();

    private TextClassifier(BertForSequenceClassification model, TextModelInfo info, TextEncoder encoder, string directory)
    {
        Directory = directory;
        Module = model;
        Info = info;
        Encoder = encoder;
    }

    /// <summary>The run directory the model was loaded from (full path).</summary>
    public string Directory { get; }

    /// <summary>What the run directory says about the model.</summary>
    public TextModelInfo Info { get; }

    /// <summary>Class names in output order.</summary>
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>The underlying TorchSharp module (eval mode).</summary>
    public BertForSequenceClassification Module { get; }

    /// <summary>The tokenizer the model was trained with.</summary>
    public TextEncoder Encoder { get; }

    /// <summary>Loads <c>model.json</c>, <c>model.safetensors</c> and <c>vocab.txt</c> from <paramref name="runDirectory"/>.</summary>
    /// <exception cref="RunDirectoryException">Missing files, an image run, or an unknown format version.</exception>
    /// <exception cref="WeightsException">Weights that do not fit the described architecture.</exception>
    public static TextClassifier Load(string runDirectory)
    {
        var run = new RunDirectory(runDirectory);
        if (!System.IO.Directory.Exists(run.Path)) throw new RunDirectoryException($"{run.Path}: run directory not found");
        var info = run.ReadTextModelInfo();
        var weightsPath = Path.Combine(run.Path, info.WeightsFile);
        var vocabPath = Path.Combine(run.Path, info.VocabFile);
        if (!File.Exists(weightsPath)) throw new RunDirectoryException($"{weightsPath}: weights file not found (did the run finish?)");
        if (!File.Exists(vocabPath)) throw new RunDirectoryException($"{vocabPath}: vocabulary not found");
        var model = new BertForSequenceClassification(info.Bert, info.Classes.Count, info.Pooling);
        try
        {
            StateDictLoader.LoadFile(model, weightsPath, new LoadOptions([]));
            model.eval();
            return new TextClassifier(model, info, TextEncoder.FromVocabulary(File.ReadAllBytes(vocabPath)), run.Path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A batch source over <paramref name="samples"/> encoded the way the model was trained (for evaluation).</summary>
    public TextBatchSource Batches(IReadOnlyList<TextSample> samples, int batchSize) =>
        TextBatchSource.Create(samples, Encoder, Info.MaxLength, Info.TruncationRule, batchSize, shuffle: false, seed: 0);

    /// <summary>Top-<paramref name="topK"/> classes of <paramref name="text"/>.</summary>
    public IReadOnlyList<Prediction> Predict(string text, int topK = 5) => PredictBatch([text], topK)[0];

    /// <summary>Top-<paramref name="topK"/> classes of each text, computed in one batch.</summary>
    /// <exception cref="ArgumentException">An empty or whitespace-only text.</exception>
    public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> texts, int topK = 5)
    {
        if (texts.Count == 0) return [];
        // Training drops empty documents, so the model has never seen one; its answer for [CLS][SEP] means nothing.
        for (int i = 0; i < texts.Count; i++)
            if (string.IsNullOrWhiteSpace(texts[i])) throw new ArgumentException($"text {i} is empty", nameof(texts));
        var samples = texts.Select((t, i) => new TextSample(t, 0, $"text {i}")).ToList();
        var results = new List<IReadOnlyList<Prediction>>();
        foreach (var batch in Batches(samples, Math.Max(1, texts.Count)).Epoch(0))
        {
            using var b = batch;
            using var scope = NewDisposeScope();
            Tensor probabilities;
            lock (_gate)
            {
                using var noGrad = no_grad();
                probabilities = nn.functional.softmax(Module.call(b.Inputs), 1);
            }
            var p = probabilities.data<float>().ToArray();
            int c = Classes.Count;
            for (int i = 0; i < b.Count; i++)
                results.Add(Enumerable.Range(0, c).Select(k => new Prediction(Classes[k], k, p[i * c + k]))
                    .OrderByDescending(r => r.Probability).Take(Math.Max(1, topK)).ToList());
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose() => Module.Dispose();
}
