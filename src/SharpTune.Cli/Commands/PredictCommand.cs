using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune predict --run RUN IMAGE…</c> (or <c>TEXT…</c> for a text run): top-k classes with probabilities.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run.", Required = true };
        var images = new Argument<string[]>("inputs") { Description = "Image files to classify; for a text run, the texts themselves.", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k") { Description = "Classes to show per image.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of results) instead of text." };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Classify images (or texts, with a text run) with a trained run.") { run, images, topK, json, threads };
        command.SetAction(parsed =>
        {
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            if (parsed.GetValue(topK) < 1) throw new UsageException("--top-k must be at least 1");
            var paths = parsed.GetValue(images)!;
            var runDir = new RunDirectory(parsed.GetValue(run)!);
            bool text = Directory.Exists(runDir.Path) && File.Exists(runDir.ModelInfoFile) && runDir.IsText;
            IReadOnlyList<IReadOnlyList<Prediction>> results;
            if (text)
            {
                using var classifier = TextClassifier.Load(runDir.Path);
                results = classifier.PredictBatch(paths, parsed.GetValue(topK));
            }
            else
            {
                foreach (var p in paths) if (!File.Exists(p)) throw new UsageException($"image '{p}' does not exist");
                using var model = SharpTuneModel.Load(runDir.Path);
                results = model.PredictBatch(paths, parsed.GetValue(topK));
            }
            if (parsed.GetValue(json))
            {
                var items = paths.Zip(results, (p, r) => text ? (object)new { text = p, predictions = r } : new { image = p, predictions = r });
                Console.WriteLine(JsonSerializer.Serialize(items, RunJson.Indented));
                return 0;
            }
            for (int i = 0; i < paths.Length; i++)
            {
                Console.WriteLine(text && paths[i].Length > 70 ? paths[i][..70] + "…" : paths[i]);
                foreach (var r in results[i])
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Probability,7:0.0000}  {r.Class}"));
            }
            return 0;
        });
        return command;
    }
}
