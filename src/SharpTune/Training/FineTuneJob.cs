using System.Diagnostics;
using SharpTune.Configuration;
using SharpTune.Data;
using SharpTune.Models;
using SharpTune.Reporting;
using SharpTune.Tuning;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>The outcome of a run: where it is and its summary.</summary>
public sealed record RunResult(RunDirectory Directory, RunSummary Summary);

/// <summary>
/// A whole fine-tuning run, the library entry point behind <c>sharptune finetune</c>: data → model → tuning plan →
/// trainer → run directory. Resumable from the last complete epoch.
/// </summary>
public static class FineTuneJob
{
    /// <summary>Starts a new run in <paramref name="runPath"/> (which must not hold another run).</summary>
    /// <exception cref="OptionsException">Invalid options or an occupied run directory (nothing is written).</exception>
    /// <exception cref="DataException">Unusable dataset.</exception>
    /// <exception cref="WeightsException">Unusable weights.</exception>
    /// <exception cref="NonFiniteLossException">The loss diverged; the last good checkpoint stays.</exception>
    public static RunResult Run(FineTuneOptions options, string runPath, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= SilentObserver.Instance;
        options = options with { Data = Path.GetFullPath(options.Data ?? EmbeddedDataset.For(options.Model).Path) };
        OptionsValidator.Validate(options);
        var run = new RunDirectory(runPath);
        if (Directory.Exists(run.Path) && Directory.EnumerateFileSystemEntries(run.Path).Any())
            throw new OptionsException($"--out: '{run.Path}' already holds files; resume it with --resume or choose another --out");
        return Execute(options, run, resume: false, observer, cancel);
    }

    /// <summary>Continues the run in <paramref name="runPath"/> from its last complete epoch, with its saved configuration.</summary>
    public static RunResult Resume(string runPath, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= SilentObserver.Instance;
        var run = new RunDirectory(runPath);
        if (!File.Exists(run.ConfigFile))
            throw new OptionsException($"--resume: '{run.Path}' is not a SharpTune run (no config.yaml)");
        if (run.IsComplete)
            throw new OptionsException($"--resume: '{run.Path}' is already complete (summary.json exists)");
        var saved = YamlConfig.Read(run.ConfigFile).FirstOrDefault(kv => kv.Key == "model").Value ?? new FineTuneOptions().Model;
        var options = YamlConfig.Apply(FineTuneOptions.RecipeFor(saved), run.ConfigFile);
        OptionsValidator.Validate(options);
        return Execute(options, run, resume: true, observer, cancel);
    }

    private static RunResult Execute(FineTuneOptions options, RunDirectory run, bool resume, IRunObserver observer, CancellationToken cancel)
    {
        if (options.IsText) return TextFineTuneJob.Execute(options, run, resume, observer, cancel);
        var wall = Stopwatch.StartNew();
        set_num_threads(options.Threads);

        var data = ImageFolder.Open(options.Data!, options.BadFiles);
        var classes = data.Classes;
        observer.Info($"data: {data.Root}: {data.Train.Samples.Count} train / {data.Test.Samples.Count} {data.TestSplitName} images, {classes.Count} classes");
        foreach (var bad in data.BadImages) observer.Warning($"skipped {bad}");

        RunSteps.Start(run, options, resume);
        var prepared = ModelSetup.Prepare(options, classes);
        using var model = prepared.Model;
        if (prepared.Load is not null) observer.Info("weights: " + prepared.Load.Summary());
        foreach (var row in prepared.ReusedRows) observer.Info($"head row {row.TargetIndex} '{row.TargetClass}' reused from '{row.SourceClass}' (row {row.SourceIndex})");

        var freeze = new FreezePlan(model, FreezeLevels.TryParse(options.Freeze) ?? FreezeLevel.None);
        var groups = ParameterGroups.Split(freeze.TrainableParameters, model.ClassifierName, options.Lr, options.HeadLrMult, options.ParamGroups);
        using var optimizer = ParameterGroups.CreateSgd(groups, options.Momentum, options.WeightDecay);
        observer.Info("optimiser: SGD " + string.Join(", ", groups.Select(g => $"{g.Name} lr {g.LearningRate:G3} ({g.Parameters.Sum(p => p.numel()):N0} params)")) +
                      $", momentum {options.Momentum}, weight decay {options.WeightDecay}, loss {options.LossReduction.ToString().ToLowerInvariant()}" +
                      (freeze.FrozenNames.Count > 0 ? $", frozen: {string.Join(", ", freeze.FrozenNames)}" : ""));

        var (history, startEpoch) = RunSteps.Restore(run, resume, model, optimizer, prepared.Entry.Config.ClassifierKeys, observer);

        int size = options.Size ?? prepared.Entry.Config.InputSize;
        var normalization = prepared.Entry.Config.Normalization
            ?? throw new InvalidOperationException($"image model '{prepared.Entry.Name}' has no normalisation");
        long cacheBytes = (long)options.CacheMb * 1024 * 1024;
        using var trainLoader = new ImageLoader(data.Train.Samples, ImageTransforms.TrainD2l(size, normalization),
            new LoaderOptions(options.BatchSize, Shuffle: true, options.Seed, options.Workers, CacheBytes: cacheBytes));
        using var testLoader = new ImageLoader(data.Test.Samples, ImageTransforms.EvalD2l(size, normalization),
            new LoaderOptions(options.BatchSize, Shuffle: false, options.Seed, options.Workers, CacheBytes: cacheBytes));
        var train = new ImageBatchSource(trainLoader, data.Train.Samples.Count);
        var test = new ImageBatchSource(testLoader, data.Test.Samples.Count);
        RunSteps.Fit(run, model, optimizer, freeze.SetTrainingMode, options.LossReduction, [], observer, train, test, startEpoch, options.Epochs, history, cancel);

        var info = new ModelInfo(ModelInfo.CurrentFormatVersion, prepared.Entry.Name, "resnet",
            model.Spec.Block, model.Spec.Layers, model.Spec.Widths, classes, normalization, size, ResizeFor(size),
            Path.GetFileName(run.WeightsFile));
        var badImages = data.BadImages.Concat(trainLoader.BadImagesSeen).Concat(testLoader.BadImagesSeen)
            .Select(b => b.Path).Distinct().ToList();
        var facts = new RunFacts(prepared.Entry.Name, Path.GetFileName(data.Root.TrimEnd('/')), classes, data.Train.Samples.Count,
            data.Test.Samples.Count, badImages, null, groups.Sum(g => g.Parameters.Sum(p => p.numel())), freeze.FrozenNames, prepared.ReusedRows);
        return new RunResult(run, RunSteps.Finish(run, model, info, options, facts, history, wall));
    }

    /// <summary>Shorter-side resize before the centre crop: size×256/224, as d2l's Resize(256)+CenterCrop(224).</summary>
    public static int ResizeFor(int size) => (int)Math.Round(size * 256 / 224.0);
}
