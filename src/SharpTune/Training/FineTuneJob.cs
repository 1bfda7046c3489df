using System.Diagnostics;
using SharpTune.Configuration;
using SharpTune.Data;
using SharpTune.Distributed;
using SharpTune.IO;
using SharpTune.Models;
using SharpTune.Reporting;
using SharpTune.Training.Schedules;
using SharpTune.Tuning.Lora;
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
    /// <summary>
    /// Starts a new run in <paramref name="runPath"/> (which must not hold another run). With a <paramref name="group"/>
    /// of several processes (e.g. <see cref="Distributed.MpiCommunicator.Initialize"/> under <c>mpirun</c>), every process
    /// calls this with the same options: the root's initial weights are broadcast, each process trains on its part of
    /// every batch, gradients and metrics are summed, and only the root (rank 0) writes the run directory. An exception in
    /// one process leaves the others waiting in a collective: end the group (<see cref="Distributed.ICommunicator.Abort"/>),
    /// as the CLI does.
    /// </summary>
    /// <exception cref="OptionsException">Invalid options or an occupied run directory (nothing is written).</exception>
    /// <exception cref="DataException">Unusable dataset.</exception>
    /// <exception cref="WeightsException">Unusable weights.</exception>
    /// <exception cref="NonFiniteLossException">The loss diverged; the last good checkpoint stays.</exception>
    public static RunResult Run(FineTuneOptions options, string runPath, IRunObserver? observer = null, CancellationToken cancel = default,
        ICommunicator? group = null)
    {
        observer ??= SilentObserver.Instance;
        group ??= SingleProcess.Instance;
        options = options with { Data = Path.GetFullPath(options.Data ?? EmbeddedDataset.For(options.Model).Path) };
        var run = new RunDirectory(runPath);
        if (File.Exists(run.Path)) throw new OptionsException($"--out: '{run.Path}' is a file; give a folder for the run");
        OptionsValidator.Validate(options);
        if (group.Rank != 0) return Execute(options, run, resume: false, observer, cancel, group);

        OutputProbe.EnsureWritable(run.Path, "--out");
        // The lock comes before the emptiness check: of two runs started on one folder, the second is refused.
        using var runLock = RunLock.Acquire(run.Path, "--out");
        if (run.HoldsRunFiles())
            throw new OptionsException($"--out: '{run.Path}' already holds files; resume it with --resume or choose another --out");
        return Execute(options, run, resume: false, observer, cancel, group);
    }

    /// <summary>
    /// Continues the run in <paramref name="runPath"/> from its last complete epoch, with its saved configuration, in
    /// one process or a <paramref name="group"/> of any size (the global batch is the same whatever the number of
    /// processes). Every process reads the run directory, so in a group it must be on storage they share.
    /// </summary>
    public static RunResult Resume(string runPath, IRunObserver? observer = null, CancellationToken cancel = default, ICommunicator? group = null)
    {
        observer ??= SilentObserver.Instance;
        group ??= SingleProcess.Instance;
        var run = new RunDirectory(runPath);
        if (!File.Exists(run.ConfigFile))
            throw new OptionsException($"--resume: '{run.Path}' is not a SharpTune run (no config.yaml)");
        // Every process of a group reads the run; only the root writes it, so only the root holds the lock.
        using var runLock = group.Rank == 0 ? RunLock.Acquire(run.Path, "--resume") : null;
        if (run.IsComplete)
            throw new OptionsException($"--resume: '{run.Path}' is already complete (summary.json exists)");
        var saved = YamlConfig.Read(run.ConfigFile).FirstOrDefault(kv => kv.Key == "model").Value ?? new FineTuneOptions().Model;
        var options = YamlConfig.Apply(FineTuneOptions.RecipeFor(saved), run.ConfigFile);
        OptionsValidator.Validate(options);
        return Execute(options, run, resume: true, observer, cancel, group);
    }

    private static RunResult Execute(FineTuneOptions options, RunDirectory run, bool resume, IRunObserver observer, CancellationToken cancel,
        ICommunicator group)
    {
        try
        {
            return ExecuteFamily(options, run, resume, observer, cancel, group);
        }
        catch (OperationCanceledException e) when (e is not RunInterruptedException)
        {
            throw new RunInterruptedException(run.Path, e);
        }
    }

    private static RunResult ExecuteFamily(FineTuneOptions options, RunDirectory run, bool resume, IRunObserver observer, CancellationToken cancel,
        ICommunicator group)
    {
        var wall = Stopwatch.StartNew();
        bool writes = group.Rank == 0;
        // The run directory and its config are written only once the options passed validation, the data opened and
        // the model was built.
        using var family = Families.ModelFamilies.For(options.Model).Open(options, observer, group);
        var (model, contract, classes) = (family.Model, family.Contract, family.Classes);
        if (group.Size > 1)
            observer.Info($"data parallel: {group.Size} processes ({group.LocalSize} on this host), {get_num_threads()} threads each, " +
                          $"global batch {family.BatchSize}{(model is ResNet ? $", BatchNorm {(options.SyncBn ? "synchronised" : "per process")}" : "")}");

        // The method's tuner (LoRA …) wraps the model before anything is written: options that do not fit it (targets
        // that match nothing) are usage errors with nothing on disk.
        using var tuned = Tuners.For(options.Method)?.Apply(options, model, contract, family.ModelName);
        // The configuration saved is what runs: a batch size clamped to the training set is saved clamped.
        options = options with { BatchSize = family.BatchSize };
        if (writes)
        {
            Directory.CreateDirectory(run.Path);
            if (!resume)
                YamlConfig.Write(run.ConfigFile, options, $"SharpTune fine-tuning run, {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\nresume with: sharptune finetune --resume {run.Path}");
            family.WriteModelFiles(run);
        }

        var (train, test, settings) = (family.Train, family.Test, family.Settings);
        int stepsPerEpoch = settings.StepsPerEpoch(train.BatchesPerEpoch);
        var phases = TrainingPlan.Build(options, contract, stepsPerEpoch);
        int totalEpochs = phases[^1].LastEpoch;
        if (tuned is not null) observer.Info(tuned.Describe());
        // The model (adapters included) moves to the run's device; batches follow it, the optimiser is built on it.
        var device = TorchSharp.torch.device(options.Device);
        if (device.type != TorchSharp.DeviceType.CPU) TorchSharp.ModuleExtensionMethods.to(model, device);

        var history = new List<EpochMetrics>();
        var resumeState = resume ? Checkpoint.Latest(run.CheckpointFolder) : null;
        if (resumeState is not null)
        {
            if (!resumeState.Classes.SequenceEqual(classes))
                throw new DataException($"classes [{string.Join(", ", classes)}] differ from the run's [{string.Join(", ", resumeState.Classes)}]; cannot resume {run.Path} on other classes");
            Checkpoint.RestoreModel(run.CheckpointFolder, resumeState, model);
            history.AddRange(resumeState.History);
            observer.Info($"resumed from the checkpoint of epoch {resumeState.Epoch}");
        }
        // Every process starts from the root's weights, whatever its own random initialisation did.
        group.BroadcastState(model);

        var best = new BestEpochKeeper(model, Path.Combine(run.CheckpointFolder, "best.safetensors"), options.EarlyStopping, history, writes);
        long trainableParams = 0;
        var frozenParts = new List<string>();
        foreach (var phase in phases)
        {
            int done = history.Count;
            if (done >= phase.LastEpoch) continue;
            // With a tuner the whole body is frozen (BatchNorm statistics included) except the tuner's parameters.
            var freeze = tuned is null
                ? new FreezePlan(contract, phase.Freeze, phase.TrainBatchNorm)
                : new FreezePlan(contract, "backbone", trainBatchNorm: false, tuned.IsTunerParameter);
            var groups = phase.Groups(freeze.TrainableParameters);
            using var optimizer = ParameterGroups.Create(options.Optimizer, groups, options.Momentum, options.AdamBeta2);
            if (resumeState is not null && done >= phase.FirstEpoch)
                Checkpoint.RestoreOptimizer(run.CheckpointFolder, resumeState, optimizer); // resuming inside this phase
            trainableParams = Math.Max(trainableParams, groups.Sum(g => g.Parameters.Sum(p => p.numel())));
            frozenParts = freeze.FrozenNames.Union(frozenParts).ToList();
            int first = Math.Max(phase.FirstEpoch, done + 1);
            observer.Info(Describe(phase, first, options, groups, freeze));

            // Base rates from the recipe's groups, never from the optimiser: a restored optimiser holds decayed rates.
            var hooks = new List<ITrainerCallback>();
            if (options.ClipNorm > 0) hooks.Add(new GradientClipping(groups.SelectMany(g => g.Parameters).ToList(), options.ClipNorm));
            hooks.Add(new LrScheduler(optimizer, groups.Select(g => g.LearningRate).ToList(), phase.Schedule,
                phase.FirstEpoch, stepsPerEpoch, (long)phase.Epochs * stepsPerEpoch));
            var recorder = new RunRecorder(run, model, optimizer, history, classes, writes);
            var trainer = new Trainer(model, optimizer, freeze.SetTrainingMode, settings, [.. hooks, observer, best, recorder]);
            trainer.Fit(train, test, first, phase.LastEpoch, cancel);
            if (best.StopRequested) break;
        }

        bool stoppedEarly = history.Count < totalEpochs;
        if (writes && options.EarlyStopping > 0 && best.Best is not null && File.Exists(best.BestFile))
        {
            // Early stopping keeps the best epoch: the saved model is that epoch's weights.
            var tensors = StateDictFile.Read(best.BestFile);
            try { StateDictLoader.Load(model, tensors, best.BestFile, new LoadOptions([])); }
            finally { foreach (var t in tensors.Values) t.Dispose(); }
            if (stoppedEarly) observer.Info($"early stopping: no better test accuracy since epoch {best.Best.Epoch}; keeping its weights");
        }

        // Final artefacts (the root's job); summary.json last, so that its presence means "complete". A tuned run keeps
        // the tuner's files (PEFT's adapter) and saves the merged weights as the plain model.
        var mode = options.Init == InitMode.Pretrained ? "finetune" : "scratch";
        long totalParams = tuned?.TotalParameters ?? model.parameters().Sum(p => p.numel());
        if (writes)
        {
            if (tuned is not null)
            {
                tuned.Save(run.Path);
                tuned.Merge();
            }
            FiniteCheck.EnsureFinite(model, history[^1].Epoch);
            var weights = model.state_dict().Where(kv => tuned is null || !tuned.IsTunerParameter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            StateDictFile.WriteSafetensors(run.WeightsFile, weights);
            RunJson.Write(run.ModelInfoFile, family.ModelInfo(run));
            Curves.Save(run.CurvesFile, $"{mode}: {family.ModelName} on {family.DatasetName}", Curves.ForRun(history));
        }

        var outcome = family.GatherDataOutcome();
        double trainSeconds = history.Sum(m => m.EpochSeconds);
        var summary = new RunSummary(mode, history.Count, history[^1], history.Max(m => m.TestAcc), classes, outcome.BadImages,
            ProcessMemory.PeakRssBytes(), trainSeconds > 0 ? history.Sum(m => m.DataWaitSeconds) / trainSeconds : 0,
            family.ModelName, outcome.TrainExamples, outcome.TestExamples, wall.Elapsed.TotalSeconds,
            trainableParams, totalParams, frozenParts, family.ReusedRows,
            options.Recipe.ToString().ToLowerInvariant(), best.Best?.Epoch ?? history[^1].Epoch, stoppedEarly)
        {
            BadRecords = outcome.BadRecords,
            SkippedLinks = outcome.SkippedLinks,
            Processes = group.Size,
        };
        if (writes) RunJson.Write(run.SummaryFile, summary);
        return new RunResult(run, summary);
    }

    private static string Describe(TrainingPhase phase, int first, FineTuneOptions options, IReadOnlyList<ParameterGroup> groups, FreezePlan freeze) =>
        $"{phase.Name}, epoch{(first == phase.LastEpoch ? $" {first}" : $"s {first}–{phase.LastEpoch}")}" +
        $"{(first > phase.FirstEpoch ? $" (continuing; the phase began at epoch {phase.FirstEpoch})" : "")}: {options.Optimizer.ToString().ToLowerInvariant()} " +
        string.Join(", ", groups.Select(g => $"{g.Name} lr {g.LearningRate:G3} ({g.Parameters.Sum(p => p.numel()):N0} params)")) +
        $", schedule {phase.Schedule.GetType().Name.Replace("Schedule", "").ToLowerInvariant()}, momentum {options.Momentum}, " +
        $"weight decay {options.WeightDecay}, loss {options.LossReduction.ToString().ToLowerInvariant()}" +
        (options.ClipNorm > 0 ? $", clip-norm {options.ClipNorm}" : "") +
        (freeze.FrozenNames.Count > 0 ? $", frozen: {string.Join(", ", freeze.FrozenNames)}{(phase.TrainBatchNorm ? " (BatchNorm training)" : "")}" : "");

    /// <summary>Shorter-side resize before the centre crop: size×256/224, as d2l's Resize(256)+CenterCrop(224).</summary>
    public static int ResizeFor(int size) => (int)Math.Round(size * 256 / 224.0);
}
