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
            var runDir = new RunDirectory(parsed.GetValue(run)!);
            var family = SharpTune.Families.ModelFamilies.ForRun(runDir);
            var (result, classes, splitName, bad) = family.Evaluate(runDir, parsed.GetValue(data)!, parsed.GetValue(batch));
            bool texts = family.Inputs == SharpTune.Families.InputKind.Texts;
            var report = ClassificationReport.From(result.Labels, result.Predictions, classes);

            var outDir = parsed.GetValue(output) ?? Path.Combine(runDir.Path, "evaluation");
            Directory.CreateDirectory(outDir);
            RunJson.Write(Path.Combine(outDir, "evaluation.json"), texts
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
}
