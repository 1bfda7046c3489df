using System.Diagnostics;
using System.Globalization;
using SharpTune.IO;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Text;
using SharpTune.Tuning;
using SharpTune.Tuning.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// A text fine-tuning run (Sun et al. 2019's recipe by default, see <see cref="FineTuneOptions.TextRecipe"/>): text
/// dataset → WordPiece encoding → BERT classifier (pretrained encoder, new head) → layer-wise parameter groups →
/// AdamW with warm-up/decay and gradient clipping → the same run directory as image runs, plus <c>vocab.txt</c>.
/// Reached through <see cref="FineTuneJob.Run"/> and <see cref="FineTuneJob.Resume"/>, which dispatch on the model.
/// </summary>
public static class TextFineTuneJob
{
    internal static RunResult Execute(FineTuneOptions options, RunDirectory run, bool resume, IRunObserver observer, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        set_num_threads(options.Threads);
        var entry = ModelZoo.Get(options.Model);

        var data = TextDataset.Open(options.Data!, new TextColumns(options.TextColumn!, options.LabelColumn!), options.BadFiles);
        var classes = data.Classes;
        observer.Info($"data: {data.Root} ({data.Layout.ToString().ToLowerInvariant()}): {data.Train.Samples.Count} train / " +
                      $"{data.Test.Samples.Count} {data.Test.Name} documents, {classes.Count} classes ({string.Join(", ", classes)})");
        foreach (var bad in data.BadRecords) observer.Warning($"skipped {bad}");
        if (options.BatchSize > data.Train.Samples.Count)
        {
            // Clamped, said, and saved clamped: the configuration is what ran.
            observer.Warning($"--batch-size {options.BatchSize} is larger than the {data.Train.Samples.Count} training documents; using {data.Train.Samples.Count}");
            options = options with { BatchSize = data.Train.Samples.Count };
        }

        manual_seed(options.Seed);
        var setup = TextModels.Create(entry, classes.Count, options.Pooling!.Value, options.Init == InitMode.Pretrained, options.Weights);
        using var model = setup.Model;
        if (setup.Load is not null) observer.Info("weights: " + setup.Load.Summary());

        // LoRA freezes everything but its adapters and the new head; a freeze level can only freeze more. Injected
        // before the run directory is written: targets that match nothing are a usage error.
        using var lora = LoraSettings.InjectFor(options, model, entry.Name, model.ClassifierName);
        RunSteps.Start(run, options, resume);
        AtomicFile.Write(run.VocabFile, s => s.Write(setup.Vocabulary));
        if (lora is not null)
            observer.Info($"LoRA r={lora.Config.R} alpha={lora.Config.LoraAlpha} on {lora.Layers.Count} layers ({string.Join(", ", lora.Config.TargetModules)}): " +
                          $"{lora.TrainableParameters:N0} of {lora.TotalParameters:N0} parameters train ({100.0 * lora.TrainableParameters / lora.TotalParameters:0.00}%)");
        var freeze = new TextFreezePlan(model, options.Freeze);
        var groups = LayerwiseLrDecay.Split(freeze.TrainableParameters, setup.Config.NumHiddenLayers, model.ClassifierName, options.Lr,
            options.LayerDecay!.Value, options.HeadLrMult, options.WeightDecay, layerWise: options.ParamGroups);
        using OptimizerHelper optimizer = options.Optimizer == OptimizerKind.Sgd
            ? LayerwiseLrDecay.CreateSgd(groups, options.Momentum)
            : LayerwiseLrDecay.CreateAdamW(groups);
        observer.Info(Describe(options, groups, freeze));

        var (history, startEpoch) = RunSteps.Restore(run, resume, model, optimizer, classes, observer);

        var encoder = TextEncoder.FromVocabulary(setup.Vocabulary);
        var truncation = new TextTruncation(options.Truncation!.Value, options.HeadTokens);
        int maxLength = options.MaxLength!.Value;
        var train = TextBatchSource.Create(data.Train.Samples, encoder, maxLength, truncation, options.BatchSize, shuffle: true, options.Seed);
        var test = TextBatchSource.Create(data.Test.Samples, encoder, maxLength, truncation, options.BatchSize, shuffle: false, options.Seed);
        observer.Info(string.Create(CultureInfo.InvariantCulture,
            $"tokens: mean {train.MeanLength:0} per training document at max-length {maxLength}, {train.TruncatedShare(maxLength):P0} truncated ({TruncationName(truncation, maxLength)})"));

        var hooks = new List<ITrainerCallback>();
        if (options.ClipNorm is > 0) hooks.Add(new GradientClipping(groups.SelectMany(g => g.Parameters).ToList(), options.ClipNorm.Value));
        // Base rates from the recipe's groups, not from the optimiser: a restored optimiser holds decayed rates.
        hooks.Add(new LinearWarmupDecay(optimizer, groups.Select(g => g.LearningRate).ToList(), options.Epochs * train.BatchesPerEpoch, options.WarmupRatio!.Value));
        RunSteps.Fit(run, model, optimizer, freeze.SetTrainingMode, options.LossReduction, hooks, observer, train, test, startEpoch, options.Epochs, history, classes, cancel);

        long totalParams = lora?.TotalParameters ?? model.parameters().Sum(p => p.numel());
        long trainableParams = groups.Sum(g => g.Parameters.Sum(p => p.numel()));
        if (lora is not null)
        {
            // Keep the adapter (PEFT files) and ship the merged weights as the plain model.
            lora.Save(run.Path);
            lora.Merge();
            lora.Dispose();
        }
        var info = new TextModelInfo(ModelInfo.CurrentFormatVersion, entry.Name, TextModelInfo.BertArchitecture, setup.Config, model.Pooling,
            classes, maxLength, truncation.Mode, truncation.HeadTokens, Path.GetFileName(run.WeightsFile), Path.GetFileName(run.VocabFile));
        var facts = new RunFacts(entry.Name, Path.GetFileName(data.Root.TrimEnd('/')), classes, data.Train.Samples.Count, data.Test.Samples.Count,
            [], data.BadRecords.Select(b => b.ToString()).ToList(), trainableParams, freeze.FrozenNames, [], TotalParams: totalParams);
        return new RunResult(run, RunSteps.Finish(run, model, info, options, facts, history, wall));
    }

    private static string Describe(FineTuneOptions o, IReadOnlyList<ParameterGroup> groups, TextFreezePlan freeze)
    {
        var inv = CultureInfo.InvariantCulture;
        var lrs = groups.Where(g => !g.Name.EndsWith("/no-decay", StringComparison.Ordinal))
            .Select(g => string.Create(inv, $"{g.Name} {g.LearningRate:G3}"));
        return string.Create(inv, $"optimiser: {o.Optimizer.ToString().ToLowerInvariant()}, lr {string.Join(", ", lrs)} ") +
               string.Create(inv, $"(layer decay {(o.ParamGroups ? o.LayerDecay : 1)}), weight decay {o.WeightDecay} (none on biases/LayerNorm), ") +
               string.Create(inv, $"warm-up {o.WarmupRatio:P0} then linear decay, clip-norm {o.ClipNorm}, pooling {o.Pooling!.Value.ToString().ToLowerInvariant()}, ") +
               $"{groups.Sum(g => g.Parameters.Sum(p => p.numel())):N0} trainable parameters" +
               (freeze.FrozenNames.Count > 0 ? $", frozen: {string.Join(", ", freeze.FrozenNames)}" : "");
    }

    private static string TruncationName(TextTruncation t, int maxLength) => t.Mode switch
    {
        TruncationMode.HeadTail => $"head {t.HeadFor(maxLength - 2)} + tail {maxLength - 2 - t.HeadFor(maxLength - 2)}",
        _ => t.Mode.ToString().ToLowerInvariant(),
    };
}
