using SharpTune.Data;
using SharpTune.Distributed;
using SharpTune.Export;
using SharpTune.Families.Images;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Families.Vit;

/// <summary>
/// Image classification with a small Vision Transformer, on the image family's data pipeline (ImageFolder, d2l
/// transforms, loaders). Added through the registries alone (a zoo entry and a family line): proof that a model family
/// is a folder. Random initialisation only (no ViT weights are bundled).
/// </summary>
public sealed class VitFamily : IModelFamily
{
    /// <inheritdoc />
    public string Architecture => "vit";

    /// <inheritdoc />
    public bool Handles(ZooEntry entry) => entry.Architecture is VitConfig;

    /// <summary>d2l's recipe, as for the other image models.</summary>
    public FineTuneOptions Recipe(string model) => new() { Model = model };

    /// <inheritdoc />
    public InputKind Inputs => InputKind.ImageFiles;

    /// <inheritdoc />
    public FamilyRun Open(FineTuneOptions options, IRunObserver observer, ICommunicator group) =>
        new ImageFamilyRun(options, observer, group, Prepare, ModelInfo);

    /// <inheritdoc />
    public IRunClassifier Load(RunDirectory run) => VitClassifier.Load(run);

    /// <inheritdoc />
    public RunEvaluation Evaluate(RunDirectory run, string dataPath, int batchSize)
    {
        using var model = VitClassifier.Load(run);
        return ImageEvaluation.Run(model, model.Module, dataPath, batchSize);
    }

    /// <inheritdoc />
    public ExportResult Export(RunDirectory run, ExportFormat format, string? output, OnnxExportOptions onnx)
    {
        if (format == ExportFormat.Onnx) throw new Configuration.OptionsException("--format: onnx export covers ResNet and BERT runs; this ViT run exports as safetensors or pth");
        return StateDictRunExport.Export(run, format, output);
    }

    private static PreparedModel Prepare(FineTuneOptions options, IReadOnlyList<string> classes)
    {
        manual_seed(options.Seed);
        var entry = ModelZoo.Get(options.Model);
        var config = (VitConfig)entry.Architecture!;
        if ((options.Size ?? config.ImageSize) != config.ImageSize)
            throw new Configuration.OptionsException($"--size: '{entry.Name}' takes {config.ImageSize} px images (its position table is fixed)");
        if (options.Init == InitMode.Pretrained && options.Weights is null)
            throw new Configuration.OptionsException($"--init: '{entry.Name}' has no bundled weights; use --init scratch or --weights FILE");
        var model = new VitModel(config, classes.Count);
        LoadReport? report = options.Weights is null ? null : StateDictLoader.LoadFile(model, options.Weights, new LoadOptions(entry.Config.ClassifierKeys));
        return new PreparedModel(model, entry, report, []);
    }

    private static object ModelInfo(ImageRunSetup setup, RunDirectory run) =>
        new VitModelInfo(Training.ModelInfo.CurrentFormatVersion, setup.Prepared.Entry.Name, "vit", ((VitModel)setup.Prepared.Model).Config,
            setup.Classes, setup.Normalization, setup.Size, FineTuneJob.ResizeFor(setup.Size), Path.GetFileName(run.WeightsFile));
}

/// <summary><c>model.json</c> of a ViT run.</summary>
/// <param name="FormatVersion">Version of the file's layout.</param>
/// <param name="Model">Zoo name the run started from.</param>
/// <param name="Architecture">Always <c>vit</c>.</param>
/// <param name="Vit">The shape.</param>
/// <param name="Classes">Class names, in output order.</param>
/// <param name="Normalization">Input normalisation.</param>
/// <param name="InputSize">Input size (the model's image size).</param>
/// <param name="ResizeSize">Shorter-side resize before the centre crop at test time.</param>
/// <param name="WeightsFile">Weights file name, relative to the run directory.</param>
public sealed record VitModelInfo(int FormatVersion, string Model, string Architecture, VitConfig Vit, IReadOnlyList<string> Classes,
    Normalization Normalization, int InputSize, int ResizeSize, string WeightsFile);

/// <summary>A trained ViT loaded from its run directory, with the run's preprocessing.</summary>
public sealed class VitClassifier : ImageClassifier, IRunClassifier
{
    private readonly Lock _gate = new();

    private VitClassifier(VitModel model, VitModelInfo info)
        : base(info.Classes, new ClassifierPreprocessing(info.ResizeSize, KeepAspect: false, info.InputSize, info.Normalization)) => Module = model;

    /// <summary>The TorchSharp module (eval mode).</summary>
    public VitModel Module { get; }

    /// <summary>Loads <c>model.json</c> and the weights of <paramref name="run"/>.</summary>
    public static VitClassifier Load(RunDirectory run)
    {
        var info = RunJson.Read<VitModelInfo>(run.ModelInfoFile);
        var model = new VitModel(info.Vit, info.Classes.Count);
        try { StateDictLoader.LoadFile(model, Path.Combine(run.Path, info.WeightsFile), new LoadOptions([], Strict: true)); }
        catch { model.Dispose(); throw; }
        model.eval();
        return new VitClassifier(model, info);
    }

    /// <inheritdoc />
    public override float[,] Logits(IReadOnlyList<RgbImage> images)
    {
        ThrowIfDisposed();
        using var x = InputTensor(images);
        using var noGrad = no_grad();
        lock (_gate)
        {
            using var logits = Module.call(x);
            return ToArray(logits);
        }
    }


    /// <inheritdoc />
    protected override void DisposeBackend()
    {
        lock (_gate) Module.Dispose();
    }
}
