using SharpTune.Data;
using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Inference;

/// <summary>
/// A trained classifier loaded from a run directory, with its preprocessing: the C# inference API on TorchSharp.
/// <code>
/// using var model = SharpTuneModel.Load("runs/NAME");
/// var top = model.Predict("photo.jpg", topK: 3);           // or a Stream; PredictBatch for many images
/// </code>
/// Safe for concurrent callers: decoding and preprocessing run in parallel, forward passes one at a time (libtorch
/// already spreads each over its intra-op threads). The exported ONNX file gives the same answers through
/// <c>SharpTune.Onnx.OnnxClassifier</c>; both implement <see cref="IImageClassifier"/>.
/// </summary>
public sealed class SharpTuneModel : ImageClassifier
{
    private readonly ResNet _model;
    private readonly Lock _gate = new();

    private SharpTuneModel(ResNet model, ModelInfo info, string directory)
        : base(info.Classes, ClassifierPreprocessing.For(info))
    {
        _model = model;
        Info = info;
        Directory = directory;
    }

    /// <summary>What the run directory says about the model.</summary>
    public ModelInfo Info { get; }

    /// <summary>The run directory (full path).</summary>
    public string Directory { get; }

    /// <summary>The underlying TorchSharp module (eval mode). Do not use it concurrently with the predict methods.</summary>
    public ResNet Module => _model;

    /// <summary>Loads <c>model.json</c> and <c>model.safetensors</c> from <paramref name="runDirectory"/>.</summary>
    /// <exception cref="RunDirectoryException">Missing directory or files, malformed <c>model.json</c>, unknown format version.</exception>
    /// <exception cref="WeightsException">Weights that do not fit the described architecture.</exception>
    public static SharpTuneModel Load(string runDirectory)
    {
        var run = new RunDirectory(runDirectory);
        if (!System.IO.Directory.Exists(run.Path)) throw new RunDirectoryException($"{run.Path}: run directory not found");
        var info = run.ReadModelInfo();
        if (!string.Equals(info.Architecture, "resnet", StringComparison.OrdinalIgnoreCase))
            throw new RunDirectoryException($"{run.ModelInfoFile}: architecture '{info.Architecture}' is not an image classifier this SharpTune can load");
        var weightsPath = Path.Combine(run.Path, info.WeightsFile);
        if (!File.Exists(weightsPath)) throw new RunDirectoryException($"{weightsPath}: weights file not found (did the run finish?)");
        var model = new ResNet(info.Spec, info.Classes.Count);
        try
        {
            StateDictLoader.LoadFile(model, weightsPath, new LoadOptions([]));
            model.eval();
            return new SharpTuneModel(model, info, run.Path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override float[,] Logits(IReadOnlyList<RgbImage> images)
    {
        ThrowIfDisposed();
        using var x = InputTensor(images);
        using var logits = Logits(x);
        return ToArray(logits);
    }

    /// <summary>Class probabilities (softmax) for a batch of preprocessed inputs [N, 3, H, W].</summary>
    public float[,] Probabilities(Tensor inputs)
    {
        using var logits = Logits(inputs);
        var flat = logits.data<float>().ToArray();
        return Softmax(flat, (int)logits.shape[0], (int)logits.shape[1]);
    }

    /// <summary>Raw class scores [N, classes] for a batch of preprocessed inputs [N, 3, H, W] (the caller disposes them).</summary>
    public Tensor Logits(Tensor inputs)
    {
        ThrowIfDisposed();
        lock (_gate)
        {
            using var noGrad = no_grad();
            return _model.call(inputs);
        }
    }

    /// <inheritdoc />
    protected override void DisposeBackend()
    {
        lock (_gate) _model.Dispose();
    }
}
