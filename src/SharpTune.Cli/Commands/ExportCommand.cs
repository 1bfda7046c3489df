using System.CommandLine;
using System.Globalization;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Onnx;
using static TorchSharp.torch;

namespace SharpTune.Cli.Commands;

/// <summary>
/// <c>sharptune export --run RUN --format onnx|safetensors|pth [--out FILE] [--force] [--include-preprocessing] [--verify]</c>:
/// writes the trained model for use outside SharpTune; with <c>--verify</c> checks the file against the run's model
/// and prints <c>max_abs_diff=&lt;number&gt;</c> last (exit 1 when it is 1e-4 or more). A file that <c>--out</c> would
/// replace (the model file, or the <c>config.json</c>/<c>vocab.txt</c> written beside it) is a usage error unless
/// <c>--force</c> is given.
/// </summary>
public static class ExportCommand
{
    /// <summary>Largest difference <c>--verify</c> accepts.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var run = new Option<string>("--run") { Description = "Run directory of a finished run.", Required = true };
        var format = new Option<string>("--format") { Description = "onnx, safetensors or pth.", Required = true };
        format.AcceptOnlyFromAmong([.. ExportFormats.Names]);
        var output = new Option<string>("--out") { Description = "Output file, or an existing folder (default: RUN/export/model.<format>). State dicts get config.json beside them, text runs vocab.txt. Existing files are not replaced without --force." };
        var force = new Option<bool>("--force") { Description = "Replace files that --out would overwrite (the model file and config.json or vocab.txt beside it)." };
        var includePreprocessing = new Option<bool>("--include-preprocessing") { Description = "ONNX only: the graph takes uint8 RGB pixels [batch, H, W, 3] (resized and cropped) and normalises them itself." };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset ({OnnxExportOptions.MinOpset}–{OnnxExportOptions.MaxOpset}).", DefaultValueFactory = _ => OnnxExportOptions.DefaultOpset };
        var verify = new Option<bool>("--verify") { Description = "Run the exported file and the run's model on the same inputs; prints max_abs_diff=<number> last." };
        var inputs = new Option<int>("--verify-inputs") { Description = "Number of test images (sentences for a text run) for --verify.", DefaultValueFactory = _ => 4 };
        var threads = CommonOptions.Threads();
        var command = new Command("export", "Export a trained model: ONNX (ONNX Runtime and other runtimes) or a PyTorch state dict (safetensors/.pth + config.json).")
        {
            run, format, output, force, includePreprocessing, opset, verify, inputs, threads,
        };
        command.SetAction(parsed =>
        {
            var fmt = ExportFormats.Parse(parsed.GetValue(format)!);
            var onnxOptions = new OnnxExportOptions(parsed.GetValue(opset), parsed.GetValue(includePreprocessing));
            if (onnxOptions.IncludePreprocessing && fmt != ExportFormat.Onnx)
                throw new UsageException("--include-preprocessing applies to --format onnx only");
            if (onnxOptions.Opset is < OnnxExportOptions.MinOpset or > OnnxExportOptions.MaxOpset)
                throw new UsageException($"--opset must be between {OnnxExportOptions.MinOpset} and {OnnxExportOptions.MaxOpset}, got {onnxOptions.Opset}");
            if (parsed.GetValue(inputs) < 1) throw new UsageException("--verify-inputs must be at least 1");
            CommonOptions.ApplyThreads(parsed.GetValue(threads));
            // A LoRA run's model.safetensors already holds the merged weights (base + adapter), so every export of it
            // is merged; the adapter alone is the run's adapter_model.safetensors + adapter_config.json (PEFT's files).
            bool isLora = File.Exists(Path.Combine(parsed.GetValue(run)!, SharpTune.Tuning.Lora.LoraModel.ConfigFileName));
            if (isLora) Console.WriteLine("LoRA run: exporting the merged weights (base + adapter); the adapter alone is in the run's adapter_model.safetensors");

            var runDirectory = new SharpTune.Training.RunDirectory(parsed.GetValue(run)!);
            var family = SharpTune.Families.ModelFamilies.ForRun(runDirectory);
            if (family is not SharpTune.Families.Images.ImageFamily and not SharpTune.Families.Text.TextFamily)
            {
                // Families without an ONNX exporter of their own export their state dict; --verify compares through
                // ONNX Runtime or a reloaded TorchSharp model, which these families do not have yet.
                if (parsed.GetValue(verify)) throw new UsageException($"--verify: covers resnet and bert runs; this run is '{family.Architecture}'");
                CheckOverwrite(RunExporter.OutputFiles(runDirectory.Path, fmt, parsed.GetValue(output)), parsed.GetValue(output), parsed.GetValue(force));
                foreach (var file in family.Export(runDirectory, fmt, parsed.GetValue(output), onnxOptions).Files)
                    Console.WriteLine($"wrote {file} ({new FileInfo(file).Length:N0} bytes)");
                return 0;
            }
            if (family is SharpTune.Families.Text.TextFamily)
            {
                CheckText(fmt, onnxOptions);
                var vocabName = Path.GetFileName(runDirectory.ReadTextModelInfo().VocabFile);
                CheckOverwrite(RunExporter.OutputFiles(runDirectory.Path, fmt, parsed.GetValue(output), vocabName), parsed.GetValue(output), parsed.GetValue(force));
                return ExportText(parsed.GetValue(run)!, fmt, parsed.GetValue(output), onnxOptions, parsed.GetValue(verify), parsed.GetValue(inputs), parsed.GetValue(threads));
            }

            CheckOverwrite(RunExporter.OutputFiles(runDirectory.Path, fmt, parsed.GetValue(output)), parsed.GetValue(output), parsed.GetValue(force));
            using var model = SharpTuneModel.Load(parsed.GetValue(run)!);
            var result = RunExporter.Export(model, fmt, parsed.GetValue(output), onnxOptions);
            foreach (var file in result.Files)
                Console.WriteLine($"wrote {file} ({new FileInfo(file).Length:N0} bytes)");
            if (!parsed.GetValue(verify)) return 0;
            double maxDiff = fmt == ExportFormat.Onnx
                ? VerifyOnnx(model, result.ModelFile, parsed.GetValue(inputs), parsed.GetValue(threads))
                : VerifyStateDict(model, result.ModelFile, parsed.GetValue(inputs));
            Console.WriteLine($"max_abs_diff={maxDiff.ToString("E3", CultureInfo.InvariantCulture)}");
            return maxDiff < Tolerance ? 0 : SharpTuneCli.RuntimeError;
        });
        return command;
    }

    /// <summary>Options a text run cannot export with: usage errors found before the model is loaded.</summary>
    private static void CheckText(ExportFormat format, OnnxExportOptions options)
    {
        if (format != ExportFormat.Onnx) throw new UsageException("text runs export to --format onnx only");
        if (options.IncludePreprocessing) throw new UsageException("--include-preprocessing applies to image runs only");
        if (options.Opset < BertOnnxExporter.MinOpset) throw new UsageException($"--opset: BERT export needs opset {BertOnnxExporter.MinOpset} or later (LayerNormalization)");
    }

    /// <summary>
    /// Refuses, before any work, an <c>--out</c> whose export would replace an existing file (without
    /// <paramref name="force"/>): a mistyped <c>--out</c> must not destroy a dataset image or another model's
    /// <c>config.json</c>. The default folder (<c>RUN/export</c>) holds only SharpTune's own exports and is rewritten.
    /// </summary>
    private static void CheckOverwrite(IReadOnlyList<string> files, string? output, bool force)
    {
        if (output is null) return;
        // Naming the model file config.json or vocab.txt would have the companion file written over it.
        if (files.Distinct(StringComparer.Ordinal).Count() < files.Count)
            throw new UsageException($"--out: '{files[0]}' is the name of the {Path.GetFileName(files[0])} written beside the model; choose another file name");
        if (force) return;
        var existing = files.Where(f => File.Exists(f) || Directory.Exists(f)).ToList();
        if (existing.Count == 0) return;
        var besides = existing.Where(f => f != files[0]).Select(Path.GetFileName).ToList();
        var why = besides.Count == 0 ? "" : $" (the export writes {string.Join(" and ", besides)} beside the model file)";
        throw new UsageException($"--out: {string.Join(", ", existing.Select(f => $"'{f}'"))} already exist{(existing.Count == 1 ? "s" : "")}{why}; pass --force to overwrite");
    }

    /// <summary>A text run: ONNX only (the graph plus vocab.txt), verified on sample sentences.</summary>
    private static int ExportText(string runDirectory, ExportFormat format, string? output, OnnxExportOptions options, bool verify, int count, int threads)
    {
        using var model = TextClassifier.Load(runDirectory);
        var result = RunExporter.Export(model, format, output, options);
        foreach (var file in result.Files)
            Console.WriteLine($"wrote {file} ({new FileInfo(file).Length:N0} bytes)");
        if (!verify) return 0;
        var texts = OnnxExportVerifier.SampleTexts(count);
        var parity = OnnxExportVerifier.VerifyText(model, result.ModelFile, texts, threads);
        for (int i = 0; i < texts.Count; i++)
        {
            int tokens = model.Encoder.Encode(texts[i], model.Info.MaxLength, model.Info.TruncationRule).Length;
            Console.WriteLine($"input {i} ({tokens} tokens): max |TorchSharp - ONNX Runtime| = {parity.PerInputMaxAbsDiff[i]:E2} (logits and probabilities, padded batch and alone)");
        }
        Console.WriteLine($"logits: {model.Classes.Count} classes, mean |value| {parity.MeanAbsFeature:0.####}");
        Console.WriteLine($"max_abs_diff={parity.MaxAbsDiff.ToString("E3", CultureInfo.InvariantCulture)}");
        return parity.MaxAbsDiff < Tolerance ? 0 : SharpTuneCli.RuntimeError;
    }

    private static double VerifyOnnx(SharpTuneModel model, string file, int count, int threads)
    {
        var images = OnnxExportVerifier.SampleImages(model.Preprocessing.ResizeSize, count, seed: 1234);
        var parity = OnnxExportVerifier.Verify(model, file, images, threads);
        for (int i = 0; i < parity.PerInputMaxAbsDiff.Count; i++)
            Console.WriteLine($"input {i} ({images[i].Width}x{images[i].Height}): max |TorchSharp - ONNX Runtime| = {parity.PerInputMaxAbsDiff[i]:E2} (logits and probabilities, batched and alone)");
        Console.WriteLine($"logits: {model.Classes.Count} classes, mean |value| {parity.MeanAbsFeature:0.####}");
        return parity.MaxAbsDiff;
    }

    private static double VerifyStateDict(SharpTuneModel model, string file, int count)
    {
        var size = model.Preprocessing.CropSize;
        var generator = new Generator(1234);
        var inputs = Enumerable.Range(0, count)
            .Select(_ => model.Preprocessing.Normalization.Apply(rand(new long[] { 1, 3, size, size }, generator: generator) * 255f))
            .ToList();
        try
        {
            var result = StateDictRoundTrip.Check(model.Module, file, inputs);
            Console.WriteLine($"reloaded {result.Tensors} tensors from {file} into a model built from config.json: " +
                              $"max tensor diff {result.MaxTensorDiff:E2}, max logit diff {result.MaxOutputDiff:E2} on {count} inputs");
            return result.MaxAbsDiff;
        }
        finally
        {
            foreach (var t in inputs) t.Dispose();
        }
    }
}
