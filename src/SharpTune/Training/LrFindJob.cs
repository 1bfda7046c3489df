using SharpTune.Configuration;
using SharpTune.IO;
using SharpTune.Reporting;
using SharpTune.Tuning;

namespace SharpTune.Training;

/// <summary>
/// <c>sharptune lr-find</c>: an LR range test on the run's first training phase (for the fastai recipe: the head
/// with the body frozen), on a throw-away model; writes <c>lr-find.png</c> and <c>lr-find.json</c> and saves no model.
/// </summary>
public static class LrFindJob
{
    /// <summary>Runs the sweep for <paramref name="options"/> and writes the plot and JSON into <paramref name="outDir"/>.</summary>
    public static LrFinderResult Run(FineTuneOptions options, string outDir, int steps, double start, double end,
        IRunObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= SilentObserver.Instance;
        if (steps < 10) throw new OptionsException("--steps: at least 10 steps are needed");
        if (!(start > 0 && end > start)) throw new OptionsException("--start-lr/--end-lr: need 0 < start < end");
        if (options.IsText) throw new OptionsException("--model: lr-find supports image models; text runs use warm-up and linear decay (--warmup-ratio)");
        options = options with { Data = Path.GetFullPath(options.Data ?? EmbeddedDataset.For(options.Model).Path) };
        OptionsValidator.Validate(options);
        OutputProbe.EnsureWritable(outDir, "--out");

        using var setup = new ImageRunSetup(options, observer);
        var model = (Models.IModelContract)setup.Prepared.Model;
        var phase = TrainingPlan.Build(options, model, setup.Settings.StepsPerEpoch(setup.Train.BatchesPerEpoch))[0];
        var freeze = new FreezePlan(model, phase.Freeze, phase.TrainBatchNorm);
        var groups = phase.Groups(freeze.TrainableParameters);
        using var optimizer = ParameterGroups.Create(options.Optimizer, groups, options.Momentum, options.AdamBeta2);
        observer.Info($"LR range test: {steps} steps from {start:G2} to {end:G2} ({phase.Name}; group ratios kept: {string.Join(", ", groups.Select(g => g.Name))})");

        var result = LrFinder.Run(setup.Prepared.Model, optimizer, groups.Select(g => g.LearningRate).ToList(), freeze.SetTrainingMode,
            setup.Settings, setup.Train, start, end, steps, cancel);
        Directory.CreateDirectory(outDir);
        LrFinderPlot.Save(Path.Combine(outDir, "lr-find.png"), result, $"LR range test: {setup.Prepared.Entry.Name} on {Path.GetFileName(setup.Data.Root.TrimEnd('/'))}");
        RunJson.Write(Path.Combine(outDir, "lr-find.json"), result);
        return result;
    }
}
