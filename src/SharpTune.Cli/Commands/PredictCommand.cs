using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpTune.Inference;
using SharpTune.Onnx;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary>
/// <c>sharptune predict (--run RUN | --onnx FILE) [INPUT…] [--input-file FILE]</c>: top-k classes with probabilities,
/// for images (run directory or exported ONNX) or texts (a text run). <c>--input-file</c> reads one input per line
/// (blank lines skipped), after the inputs on the command line. A text run classifies texts only: an input that is an
/// existing file or folder, or looks like an image path, and an empty text are usage errors.
/// </summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run (TorchSharp)." };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file from 'sharptune export --format onnx' (ONNX Runtime), instead of --run." };
        var inputs = new Argument<string[]>("inputs") { Description = "Image files to classify; for a text run, the texts themselves (not file names: see --input-file).", Arity = ArgumentArity.ZeroOrMore };
        var inputFile = new Option<string>("--input-file") { Description = "Read inputs from FILE, one per line (texts for a text run, image paths otherwise); blank lines are skipped. Classified after the INPUTs given." };
        var topK = new Option<int>("--top-k") { Description = "Classes to show per input.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON (one array of results) instead of text." };
        var batch = new Option<int>("--batch-size") { Description = "Inputs per forward pass.", DefaultValueFactory = _ => 32 };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Classify images (run or ONNX file) or texts (text run).") { run, onnx, inputs, inputFile, topK, json, batch, threads };
        command.SetAction(parsed =>
        {
            var (runPath, onnxFile) = (parsed.GetValue(run), parsed.GetValue(onnx));
            if ((runPath is null) == (onnxFile is null)) throw new UsageException("give exactly one of --run RUN and --onnx FILE");
            if (parsed.GetValue(topK) < 1) throw new UsageException("--top-k must be at least 1");
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch-size must be at least 1");
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            var (paths, positions) = ReadInputs(parsed.GetValue(inputs) ?? [], parsed.GetValue(inputFile));
            var runDir = runPath is null ? null : new RunDirectory(runPath);
            // A run answers through its family (image files or texts); an ONNX file is an image classifier.
            var family = runDir is null ? null : SharpTune.Families.ModelFamilies.ForRun(runDir);
            bool text = family?.Inputs == SharpTune.Families.InputKind.Texts;
            if (text) CheckTexts(paths, positions);
            IReadOnlyList<IReadOnlyList<Prediction>> results;
            if (family is not null)
            {
                using var classifier = family.Load(runDir!);
                classifier.MaxBatchSize = parsed.GetValue(batch);
                results = classifier.PredictBatch(paths, parsed.GetValue(topK));
            }
            else
            {
                using ImageClassifier model = OnnxClassifier.Load(onnxFile!, parsed.GetValue(threads));
                model.MaxBatchSize = parsed.GetValue(batch);
                results = model.PredictBatch(paths, parsed.GetValue(topK));
            }
            if (parsed.GetValue(json))
            {
                var items = paths.Zip(results, (p, r) => text ? (object)new { text = p, predictions = r } : new { image = p, predictions = r });
                Console.WriteLine(JsonSerializer.Serialize(items, RunJson.Indented));
                return 0;
            }
            for (int i = 0; i < paths.Count; i++)
            {
                Console.WriteLine(text && paths[i].Length > 70 ? paths[i][..70] + "…" : paths[i]);
                foreach (var r in results[i])
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Probability,7:0.0000}  {r.Class}"));
            }
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The inputs on the command line, then the non-blank lines of <paramref name="inputFile"/>, each with the position
    /// error messages name it by ("input 2", "line 7 of FILE").
    /// </summary>
    private static (List<string> Inputs, List<string> Positions) ReadInputs(string[] given, string? inputFile)
    {
        var inputs = given.ToList();
        var positions = given.Select((_, i) => $"input {i + 1}").ToList();
        if (inputFile is not null)
        {
            if (!File.Exists(inputFile)) throw new UsageException($"--input-file: '{inputFile}' does not exist");
            var lines = File.ReadAllLines(inputFile);
            int before = inputs.Count;
            for (int i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i])) continue;
                inputs.Add(lines[i]);
                positions.Add($"line {i + 1} of {inputFile}");
            }
            if (inputs.Count == before) throw new UsageException($"--input-file: '{inputFile}' has no inputs (every line is blank)");
        }
        if (inputs.Count == 0) throw new UsageException("give the inputs to classify, or --input-file FILE");
        return (inputs, positions);
    }

    /// <summary>
    /// Refuses inputs a text run would classify as strings by mistake: a file or folder name (the user meant an image,
    /// or a file of texts) and an empty text (training refuses empty documents, so the model never saw one).
    /// </summary>
    private static void CheckTexts(IReadOnlyList<string> texts, IReadOnlyList<string> positions)
    {
        for (int i = 0; i < texts.Count; i++)
        {
            var t = texts[i];
            if (string.IsNullOrWhiteSpace(t))
                throw new UsageException($"{positions[i]} is empty; a text run classifies non-empty texts");
            if (File.Exists(t) || Directory.Exists(t) || LooksLikeImagePath(t))
                throw new UsageException($"{positions[i]} '{t}' is {(Directory.Exists(t) ? "a folder" : "a file")}: a text run classifies texts, not files; " +
                                         "give the text itself, or --input-file FILE to read one text per line");
        }
    }

    /// <summary>
    /// An image file name, with or without a folder: "photo.jpg", "holiday/IMG_1.JPEG". A sentence that merely ends with
    /// one ("I sent cat.jpg") is a text: a word-separated string without a folder separator is not taken for a path.
    /// </summary>
    private static bool LooksLikeImagePath(string text) =>
        SharpTune.Data.ImageFormats.Extensions.Contains(Path.GetExtension(text.TrimEnd()).ToLowerInvariant())
        && (text.Contains('/') || text.Contains(Path.DirectorySeparatorChar) || !text.Any(char.IsWhiteSpace));
}
