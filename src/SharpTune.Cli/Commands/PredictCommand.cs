using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Onnx;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary>
/// <c>sharptune predict (--run RUN | --onnx FILE) INPUT…</c>: top-k classes with probabilities, for images (run
/// directory or exported ONNX) or texts (a text run).
/// </summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run (TorchSharp)." };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file from 'sharptune export --format onnx' (ONNX Runtime), instead of --run." };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files to classify; for a text run, the texts themselves.", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k") { Description = "Classes to show per input.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of results) instead of text." };
        var batch = new Option<int>("--batch-size") { Description = "Inputs per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Classify images (run or ONNX file) or texts (text run).") { run, onnx, inputs, topK, json, batch, threads };
        command.SetAction(parsed =>
        {
            var (runPath, onnxFile) = (parsed.GetValue(run), parsed.GetValue(onnx));
            if ((runPath is null) == (onnxFile is null)) throw new UsageException("give exactly one of --run RUN and --onnx FILE");
            if (parsed.GetValue(topK) < 1) throw new UsageException("--top-k must be at least 1");
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch-size must be at least 1");
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            var paths = parsed.GetValue(inputs)!;
            var runDir = runPath is null ? null : new RunDirectory(runPath);
            bool text = runDir is not null && Directory.Exists(runDir.Path) && File.Exists(runDir.ModelInfoFile) && runDir.IsText;
            IReadOnlyList<IReadOnlyList<Prediction>> results;
            if (text)
            {
                using var classifier = TextClassifier.Load(runDir!.Path);
                results = classifier.PredictBatch(paths, parsed.GetValue(topK));
            }
            else
            {
                using ImageClassifier model = runDir is not null
                    ? SharpTuneModel.Load(runDir.Path)
                    : OnnxClassifier.Load(onnxFile!, parsed.GetValue(threads));
                model.MaxBatchSize = parsed.GetValue(batch);
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
