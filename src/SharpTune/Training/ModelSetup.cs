using SharpTune.Models;
using SharpTune.Tuning;
using SharpTune.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Training;

/// <summary>A model ready for training, and how it was made.</summary>
/// <param name="Model">The classifier (its <see cref="IModelContract"/> tells the engine how to tune it).</param>
/// <param name="Entry">Its zoo entry.</param>
/// <param name="Load">Report of the pretrained weights loaded, or null for scratch.</param>
/// <param name="ReusedRows">Head rows initialised from another classifier.</param>
public sealed record PreparedModel(nn.Module<Tensor, Tensor> Model, ZooEntry Entry, LoadReport? Load, IReadOnlyList<ReusedRow> ReusedRows);

/// <summary>Builds the model of a run: body (pretrained or random), new Xavier head, optional head-row reuse.</summary>
public static class ModelSetup
{
    /// <summary>Builds the model for <paramref name="classes"/>; seeds libtorch with the run's seed first.</summary>
    public static PreparedModel Prepare(FineTuneOptions options, IReadOnlyList<string> classes)
    {
        manual_seed(options.Seed);
        var entry = ModelZoo.Get(options.Model);
        ResNet model;
        LoadReport? report = null;
        if (options.Init == InitMode.Pretrained)
            (model, report) = ModelZoo.CreatePretrained(entry.Name, classes.Count, options.Weights);
        else
            model = entry.Build(classes.Count);

        HeadInitializer.XavierUniform((Linear)model.Classifier);
        var reused = options.ReuseHead is null ? [] : ReuseHead(model, classes, options);
        return new PreparedModel(model, entry, report, reused);
    }

    private static IReadOnlyList<ReusedRow> ReuseHead(ResNet model, IReadOnlyList<string> classes, FineTuneOptions options)
    {
        string weightsFile;
        IReadOnlyList<string> sourceClasses;
        if (Directory.Exists(options.ReuseHead))
        {
            var run = new RunDirectory(options.ReuseHead!);
            var info = run.ReadModelInfo();
            weightsFile = run.WeightsFile;
            sourceClasses = info.Classes;
        }
        else
        {
            weightsFile = options.ReuseHead!;
            sourceClasses = File.ReadAllLines(options.ReuseHeadClasses!).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        }
        var tensors = StateDictFile.Read(weightsFile);
        try
        {
            var prefix = model.ClassifierName;
            if (!tensors.TryGetValue(prefix + ".weight", out var weight))
                throw new WeightsException($"{weightsFile}: no '{prefix}.weight' tensor to reuse head rows from");
            tensors.TryGetValue(prefix + ".bias", out var bias);
            try
            {
                return HeadRowReuse.Apply((Linear)model.Classifier, classes, weight, bias, sourceClasses);
            }
            catch (ArgumentException e)
            {
                throw new WeightsException($"{weightsFile}: {e.Message}");
            }
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }
}
