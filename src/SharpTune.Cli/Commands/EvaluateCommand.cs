using System.CommandLine;
using System.Globalization;
using SharpTune.Data;
using SharpTune.Inference;
using SharpTune.Configuration;
using SharpTune.Reporting;
using SharpTune.Text;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune evaluate --run RUN --data DIR</c>: accuracy, per-class precision/recall, confusion matrix.</summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run.", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder: its test (or val) split is evaluated; a folder of class folders also works; for a text run also a CSV/TSV/JSONL file.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for evaluation.json and confusion.png (default: RUN/evaluation)." };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 64 };
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "Evaluate a trained run on a dataset: accuracy, per-class precision/recall/F1, confusion matrix PNG.")
        {
            run, data, output, batch, threads,
        };
        command.SetAction(parsed =>
        {
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch-size must be at least 1");
            var dataDir = parsed.GetValue(data)!;
            var runDir = new RunDirectory(parsed.GetValue(run)!);
            bool text = Directory.Exists(runDir.Path) && File.Exists(runDir.ModelInfoFile) && runDir.IsText;
            if (!Directory.Exists(dataDir) && !(text && File.Exists(dataDir)))
                throw new UsageException($"--data: {(text ? "folder or table file" : "folder")} '{dataDir}' does not exist");
            var (result, classes, splitName, bad) = text ? EvaluateText(runDir, dataDir, parsed.GetValue(batch)) : EvaluateImages(runDir, dataDir, parsed.GetValue(batch));
            var report = ClassificationReport.From(result.Labels, result.Predictions, classes);

            var outDir = parsed.GetValue(output) ?? Path.Combine(runDir.Path, "evaluation");
            Directory.CreateDirectory(outDir);
            RunJson.Write(Path.Combine(outDir, "evaluation.json"), text
                ? new { split = splitName, loss = result.MeanLoss, report, bad_records = bad }
                : (object)new { split = splitName, loss = result.MeanLoss, report, bad_images = bad });
            ConfusionMatrixPlot.Save(Path.Combine(outDir, "confusion.png"), report, $"{Path.GetFileName(runDir.Path)} on {splitName}");

            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"{"class",-20} {"precision",9} {"recall",9} {"f1",9} {"support",8}");
            foreach (var c in report.PerClass)
                Console.WriteLine(string.Create(inv, $"{c.Class,-20} {c.Precision,9:0.000} {c.Recall,9:0.000} {c.F1,9:0.000} {c.Support,8}"));
            Console.WriteLine($"confusion: {Path.GetFullPath(Path.Combine(outDir, "confusion.png"))}");
            Console.WriteLine(string.Create(inv, $"accuracy={report.Accuracy:0.0000} f1_macro={report.F1Macro:0.0000} loss={result.MeanLoss:0.0000} examples={result.Labels.Count}"));
            return 0;
        });
        return command;
    }

    private static (EvaluationResult Result, IReadOnlyList<string> Classes, string Split, IReadOnlyList<string> Bad) EvaluateImages(RunDirectory run, string dataDir, int batchSize)
    {
        using var model = SharpTuneModel.Load(run.Path);
        var split = OpenEvaluationSplit(dataDir);
        if (!split.Classes.SequenceEqual(model.Classes))
            throw new DataException($"{split.Directory}: classes [{string.Join(", ", split.Classes)}] differ from the model's [{string.Join(", ", model.Classes)}]");
        using var loader = new ImageLoader(split.Samples, ImageTransforms.EvalD2l(model.Info.InputSize, model.Info.Normalization),
            new LoaderOptions(batchSize, Shuffle: false, Seed: 0));
        model.Module.eval();
        var result = Evaluation.Run(model.Module, new ImageBatchSource(loader, split.Samples.Count));
        return (result, model.Classes, split.Directory, split.BadImages.Concat(loader.BadImagesSeen).Select(b => b.ToString()).ToList());
    }

    private static (EvaluationResult Result, IReadOnlyList<string> Classes, string Split, IReadOnlyList<string> Bad) EvaluateText(RunDirectory run, string dataPath, int batchSize)
    {
        using var model = TextClassifier.Load(run.Path);
        // The table columns the run was trained with.
        var saved = YamlConfig.Read(run.ConfigFile).ToDictionary(kv => kv.Key, kv => kv.Value);
        var columns = new TextColumns(saved.GetValueOrDefault("text-column", "text"), saved.GetValueOrDefault("label-column", "label"));
        var split = TextDataset.OpenForEvaluation(dataPath, model.Classes, columns);
        if (split.Samples.Count == 0) throw new DataException($"{split.Path}: no usable documents");
        var result = Evaluation.Run(model.Module, model.Batches(split.Samples, batchSize));
        return (result, model.Classes, split.Path, split.BadRecords.Select(b => b.ToString()).ToList());
    }

    private static ImageFolder OpenEvaluationSplit(string dir)
    {
        bool hasSplits = Directory.Exists(Path.Combine(dir, "train")) || Directory.Exists(Path.Combine(dir, "test")) || Directory.Exists(Path.Combine(dir, "val"));
        if (!hasSplits) return ImageFolder.OpenSplit(dir);
        var test = Path.Combine(dir, "test");
        var val = Path.Combine(dir, "val");
        if (Directory.Exists(test)) return ImageFolder.OpenSplit(test);
        if (Directory.Exists(val)) return ImageFolder.OpenSplit(val);
        throw new DataException($"{dir}: no test or val split to evaluate");
    }
}
