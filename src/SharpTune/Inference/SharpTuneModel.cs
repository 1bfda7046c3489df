using SharpTune.Data;
using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Inference;

/// <summary>
/// A trained classifier loaded from a run directory, with its preprocessing: the C# inference API.
/// <code>
/// using var model = SharpTuneModel.Load("runs/NAME");
/// var top = model.Predict("photo.jpg", topK: 3);
/// </code>
/// Safe for concurrent callers (forward passes are serialised; decoding and preprocessing run in parallel).
/// </summary>
public sealed class SharpTuneModel : IDisposable
{
    private readonly ResNet _model;
    private readonly ImageTransforms _transforms;
    private readonly Lock _gate = new();

    private SharpTuneModel(ResNet model, ModelInfo info)
    {
        _model = model;
        Info = info;
        _transforms = ImageTransforms.EvalD2l(info.InputSize, info.Normalization);
    }

    /// <summary>What the run directory says about the model.</summary>
    public ModelInfo Info { get; }

    /// <summary>Class names in output order.</summary>
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>The underlying TorchSharp module (eval mode).</summary>
    public ResNet Module => _model;

    /// <summary>Loads <c>model.json</c> and <c>model.safetensors</c> from <paramref name="runDirectory"/>.</summary>
    /// <exception cref="RunDirectoryException">Missing files or an unknown format version.</exception>
    /// <exception cref="WeightsException">Weights that do not fit the described architecture.</exception>
    public static SharpTuneModel Load(string runDirectory)
    {
        var run = new RunDirectory(runDirectory);
        if (!Directory.Exists(run.Path)) throw new RunDirectoryException($"{run.Path}: run directory not found");
        var info = run.ReadModelInfo();
        var weightsPath = Path.Combine(run.Path, info.WeightsFile);
        if (!File.Exists(weightsPath)) throw new RunDirectoryException($"{weightsPath}: weights file not found (did the run finish?)");
        var model = new ResNet(info.Spec, info.Classes.Count);
        try
        {
            StateDictLoader.LoadFile(model, weightsPath, new LoadOptions([]));
            model.eval();
            return new SharpTuneModel(model, info);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Top-<paramref name="topK"/> classes of the image file at <paramref name="imagePath"/>.</summary>
    /// <exception cref="DataException">The file cannot be decoded.</exception>
    public IReadOnlyList<Prediction> Predict(string imagePath, int topK = 5) => PredictBatch([imagePath], topK)[0];

    /// <summary>Top-<paramref name="topK"/> classes of each image, computed in one batch.</summary>
    public IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> imagePaths, int topK = 5)
    {
        if (imagePaths.Count == 0) return [];
        var inputs = new float[imagePaths.Count][];
        int h = 0, w = 0;
        Parallel.For(0, imagePaths.Count, i =>
        {
            var image = ImageDecoder.Decode(imagePaths[i]);
            (inputs[i], h, w) = _transforms.Apply(image, new SampleRandom(0));
        });
        return Run(inputs, h, w, topK);
    }

    /// <summary>Class probabilities (softmax) for a batch of preprocessed inputs [N, 3, H, W].</summary>
    public float[,] Probabilities(Tensor inputs)
    {
        using var scope = NewDisposeScope();
        Tensor probabilities;
        lock (_gate)
        {
            using var noGrad = no_grad();
            probabilities = nn.functional.softmax(_model.call(inputs), 1);
        }
        var flat = probabilities.data<float>().ToArray();
        int n = (int)probabilities.shape[0], c = (int)probabilities.shape[1];
        var result = new float[n, c];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    private IReadOnlyList<IReadOnlyList<Prediction>> Run(float[][] inputs, int h, int w, int topK)
    {
        var batch = new float[inputs.Length * inputs[0].Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i].CopyTo(batch, i * inputs[0].Length);
        using var x = tensor(batch, [inputs.Length, 3, h, w]);
        var p = Probabilities(x);
        var results = new List<IReadOnlyList<Prediction>>();
        for (int i = 0; i < inputs.Length; i++)
        {
            results.Add(Enumerable.Range(0, Classes.Count)
                .Select(k => new Prediction(Classes[k], k, p[i, k]))
                .OrderByDescending(r => r.Probability).Take(Math.Max(1, topK)).ToList());
        }
        return results;
    }

    /// <inheritdoc />
    public void Dispose() => _model.Dispose();
}
