using SharpTune.Configuration;
using SharpTune.Reporting;

namespace SharpTune.Training;

/// <summary><c>compare.json</c>: the summaries of the fine-tuned and the scratch run.</summary>
/// <param name="Finetune">Summary of the fine-tuning recipe.</param>
/// <param name="Scratch">Summary of the same network trained from random weights.</param>
public sealed record CompareResult(RunSummary Finetune, RunSummary Scratch);

/// <summary>
/// d2l's experiment: the fine-tuning recipe and the scratch recipe (random init, one parameter group, lr 5e-4) on the
/// same data with the same seed, in <c>OUT/finetune</c> and <c>OUT/scratch</c>, plus <c>compare.json</c> and
/// <c>compare.png</c> in OUT.
/// </summary>
public static class CompareJob
{
    /// <summary>Runs both recipes one after the other.</summary>
    public static CompareResult Run(FineTuneOptions options, string outPath, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= SilentObserver.Instance;
        var scratchOptions = options.AsScratch();
        if (File.Exists(outPath)) throw new OptionsException($"--out: '{Path.GetFullPath(outPath)}' is a file; give a folder for the comparison");
        OptionsValidator.Validate(options with { Data = options.Data ?? EmbeddedDataset.For(options.Model).Path });
        IO.OutputProbe.EnsureWritable(outPath, "--out");
        using var outLock = IO.RunLock.Acquire(outPath, "--out");
        if (new RunDirectory(outPath).HoldsRunFiles())
            throw new OptionsException($"--out: '{Path.GetFullPath(outPath)}' already holds files; choose another --out");

        observer.Info("== fine-tune (pretrained body, new head) ==");
        var finetune = FineTuneJob.Run(options, Path.Combine(outPath, "finetune"), observer, cancel);
        observer.Info($"== scratch (random init, lr {scratchOptions.Lr:G3}, one parameter group) ==");
        var scratch = FineTuneJob.Run(scratchOptions, Path.Combine(outPath, "scratch"), observer, cancel);

        var result = new CompareResult(finetune.Summary, scratch.Summary);
        var series = Curves.ForRun(finetune.Directory.ReadMetrics(), "finetune ")
            .Concat(Curves.ForRun(scratch.Directory.ReadMetrics(), "scratch ", dashed: true)).ToList();
        Curves.Save(Path.Combine(outPath, "compare.png"), "fine-tune (solid) vs scratch (dashed)", series);
        RunJson.Write(Path.Combine(outPath, "compare.json"), result);
        return result;
    }
}
