using SharpTune.Models.Bert;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>A text classifier ready to train, with its vocabulary and where its weights came from.</summary>
/// <param name="Model">The classifier (new head).</param>
/// <param name="Load">Report of the pretrained weights loaded; null for random initialisation.</param>
/// <param name="Vocabulary">The <c>vocab.txt</c> bytes its tokenizer uses.</param>
public sealed record TextModelSetup(BertForSequenceClassification Model, LoadReport? Load, byte[] Vocabulary)
{
    /// <summary>The encoder's shape.</summary>
    public BertConfig Config => Model.Bert.Config;
}

/// <summary>Builds the text classifiers of the zoo: bundled weights, a Hugging Face checkpoint folder, a state-dict file, or random.</summary>
public static class TextModels
{
    /// <summary>
    /// Builds <paramref name="entry"/>'s BERT with a head of <paramref name="numClasses"/> classes. Weights, in order:
    /// <paramref name="weights"/> (a Hugging Face folder with <c>config.json</c> + <c>model.safetensors</c>, whose
    /// shape and <c>vocab.txt</c> replace the entry's; or a .safetensors/.pth state dict of the entry's shape), else the
    /// entry's bundled weights when <paramref name="pretrained"/>, else random (BERT initialisation).
    /// </summary>
    /// <exception cref="WeightsException">Unusable weights, or none bundled.</exception>
    public static TextModelSetup Create(ZooEntry entry, int numClasses, TextPooling pooling, bool pretrained, string? weights = null)
    {
        var text = entry.Text ?? throw new ArgumentException($"'{entry.Name}' is not a text model", nameof(entry));
        if (weights is not null && Directory.Exists(weights))
        {
            var checkpoint = HuggingFaceCheckpoint.Read(weights);
            var vocab = checkpoint.VocabFile is not null ? File.ReadAllBytes(checkpoint.VocabFile) : text.Vocabulary();
            return LoadInto(new BertForSequenceClassification(checkpoint.Config, numClasses, pooling), checkpoint.Tensors, checkpoint.Folder, vocab);
        }
        if (weights is not null)
            return LoadInto(new BertForSequenceClassification(text.Bert, numClasses, pooling),
                HuggingFaceCheckpoint.ToClassifierKeys(StateDictFile.Read(weights)), weights, text.Vocabulary());
        if (!pretrained) return new TextModelSetup(new BertForSequenceClassification(text.Bert, numClasses, pooling), null, text.Vocabulary());
        if (entry.Weights is null)
            throw new WeightsException($"model '{entry.Name}' has no bundled weights; pass --weights (a Hugging Face folder or a state-dict file)");
        var loaded = entry.Weights.Load();
        var setup = LoadInto(new BertForSequenceClassification(text.Bert, numClasses, pooling),
            HuggingFaceCheckpoint.ToClassifierKeys(loaded.Tensors), loaded.CacheFile ?? loaded.SourceFile, text.Vocabulary());
        return setup with { Load = setup.Load! with { FromCache = loaded.FromCache } };
    }

    private static TextModelSetup LoadInto(BertForSequenceClassification model, Dictionary<string, Tensor> tensors, string source, byte[] vocab)
    {
        try
        {
            var report = StateDictLoader.Load(model, tensors, source, new LoadOptions(BertForSequenceClassification.ClassifierKeys));
            return new TextModelSetup(model, report, vocab);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
