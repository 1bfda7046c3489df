using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Onnx;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune predict (--run RUN | --onnx FILE) IMAGE…</c>: top-k classes with probabilities.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run (TorchSharp)." };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file from 'sharptune export --format onnx' (ONNX Runtime), instead of --run." };
        var images = new Argument<string[]>("images") { Description = "Image files to classify.", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--top-k") { Description = "Classes to show per image.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of results) instead of text." };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Classify images with a trained run or an exported ONNX file.") { run, onnx, images, topK, json, batch, threads };
        command.SetAction(parsed =>
        {
            var (runDir, onnxFile) = (parsed.GetValue(run), parsed.GetValue(onnx));
            if ((runDir is null) == (onnxFile is null)) throw new UsageException("give exactly one of --run RUN and --onnx FILE");
            if (parsed.GetValue(topK) < 1) throw new UsageException("--top-k must be at least 1");
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch-size must be at least 1");
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            var paths = parsed.GetValue(images)!;
            using ImageClassifier model = runDir is not null
                ? SharpTuneModel.Load(runDir)
                : OnnxClassifier.Load(onnxFile!, parsed.GetValue(threads));
            model.MaxBatchSize = parsed.GetValue(batch);
            var results = model.PredictBatch(paths, parsed.GetValue(topK));
            if (parsed.GetValue(json))
            {
                var items = paths.Zip(results, (p, r) => new { image = p, predictions = r });
                Console.WriteLine(JsonSerializer.Serialize(items, RunJson.Indented));
                return 0;
            }
            for (int i = 0; i < paths.Length; i++)
            {
                Console.WriteLine(paths[i]);
                foreach (var r in results[i])
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Probability,7:0.0000}  {r.Class}"));
            }
            return 0;
        });
        return command;
    }
}
