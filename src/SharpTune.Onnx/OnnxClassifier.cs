using Microsoft.ML.OnnxRuntime;
using SharpTune.Data;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Weights;

namespace SharpTune.Onnx;

/// <summary>
/// A classifier exported by <c>sharptune export --format onnx</c>, run by ONNX Runtime: class names and preprocessing
/// come from the file's metadata (<see cref="OnnxClassifierMetadata"/>), decoding and preprocessing are SharpTune's,
/// so the answers are those of <see cref="SharpTuneModel"/> on the run directory it came from.
/// <code>
/// using var model = OnnxClassifier.Load("model.onnx");
/// var top = model.Predict("photo.jpg", topK: 3);
/// </code>
/// Safe for concurrent callers (ONNX Runtime sessions run concurrently); do not dispose it while calls are running.
/// </summary>
public sealed class OnnxClassifier : ImageClassifier
{
    private readonly InferenceSession _session;

    private OnnxClassifier(InferenceSession session, OnnxClassifierMetadata metadata, string file)
        : base(metadata.Classes, metadata.Preprocessing)
    {
        _session = session;
        Metadata = metadata;
        File = file;
    }

    /// <summary>What the file's metadata say.</summary>
    public OnnxClassifierMetadata Metadata { get; }

    /// <summary>The ONNX file (full path).</summary>
    public string File { get; }

    /// <summary>Loads <paramref name="onnxPath"/>; <paramref name="threads"/> sets ONNX Runtime's intra-op threads (null: its default).</summary>
    /// <exception cref="WeightsException">Missing file, not a loadable ONNX model, or no (or newer) SharpTune metadata.</exception>
    public static OnnxClassifier Load(string onnxPath, int? threads = null) => Load(onnxPath, new OnnxClassifierOptions(threads));

    /// <summary>Loads <paramref name="onnxPath"/> with the session settings in <paramref name="settings"/>.</summary>
    /// <exception cref="WeightsException">Missing file, not a loadable ONNX model, or no (or newer) SharpTune metadata.</exception>
    public static OnnxClassifier Load(string onnxPath, OnnxClassifierOptions settings)
    {
        var path = Path.GetFullPath(onnxPath);
        if (!System.IO.File.Exists(path))
            throw new WeightsException(Directory.Exists(path) ? $"{onnxPath}: is a directory, not an ONNX file" : $"{onnxPath}: ONNX file not found");
        using var options = new SessionOptions();
        if (settings.Threads is int n) options.IntraOpNumThreads = n;
        if (!settings.AllowSpinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new WeightsException($"{onnxPath}: not a loadable ONNX model ({FirstLine(e.Message)})", e);
        }
        try
        {
            var metadata = OnnxClassifierMetadata.Parse(session.ModelMetadata.CustomMetadataMap, onnxPath);
            if (!session.InputNames.Contains(metadata.InputName))
                throw new WeightsException($"{onnxPath}: the graph has no input '{metadata.InputName}' (inputs: {string.Join(", ", session.InputNames)})");
            foreach (var output in new[] { OnnxClassifierMetadata.LogitsOutput, OnnxClassifierMetadata.ProbabilitiesOutput })
                if (!session.OutputNames.Contains(output))
                    throw new WeightsException($"{onnxPath}: the graph has no output '{output}'");
            return new OnnxClassifier(session, metadata, path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override float[,] Logits(IReadOnlyList<RgbImage> images) => RunGraph(images).Logits;

    /// <summary>Both graph outputs for decoded images: logits and the graph's own softmax.</summary>
    public (float[,] Logits, float[,] Probabilities) RunGraph(IReadOnlyList<RgbImage> images)
    {
        ThrowIfDisposed();
        int n = images.Count;
        OrtValue input;
        if (Metadata.InputKind == OnnxInputKind.RgbPixels)
        {
            var (pixels, h, w) = PixelBatch(images);
            input = OrtValue.CreateTensorValueFromMemory(pixels, [n, h, w, 3]);
        }
        else
        {
            var (values, h, w) = NormalizedBatch(images);
            input = OrtValue.CreateTensorValueFromMemory(values, [n, 3, h, w]);
        }
        using (input)
        {
            using var runOptions = new RunOptions();
            try
            {
                using var results = _session.Run(runOptions, [Metadata.InputName], [input],
                    [OnnxClassifierMetadata.LogitsOutput, OnnxClassifierMetadata.ProbabilitiesOutput]);
                return (ToMatrix(results[0], n), ToMatrix(results[1], n));
            }
            catch (OnnxRuntimeException e)
            {
                throw new WeightsException($"{File}: ONNX Runtime failed on a batch of {n} ({FirstLine(e.Message)})", e);
            }
        }
    }

    /// <inheritdoc />
    protected override void DisposeBackend() => _session.Dispose();

    private float[,] ToMatrix(OrtValue value, int rows)
    {
        var data = value.GetTensorDataAsSpan<float>();
        int columns = Classes.Count;
        if (data.Length != rows * columns)
            throw new WeightsException($"{File}: output has {data.Length} values, expected {rows}x{columns}");
        var result = new float[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r, c] = data[r * columns + c];
        return result;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
