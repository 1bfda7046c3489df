using System.CommandLine;
using System.Globalization;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Onnx;
using SharpTune.Text;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune models list</c> and <c>sharptune models check NAME</c>.</summary>
public static class ModelsCommand
{
    /// <summary>Builds the <c>models</c> command group.</summary>
    public static Command Build()
    {
        var models = new Command("models", "List the model zoo and check converted weights against their source.");

        var list = new Command("list", "List the registered models and their pretrained configuration.");
        list.SetAction(_ => List());
        models.Subcommands.Add(list);

        var name = new Argument<string>("name") { Description = "Zoo model to check: resnet18 or minilm." };
        var inputs = new Option<int>("--inputs") { Description = "Number of test inputs (images or sentences).", DefaultValueFactory = _ => 4 };
        var threads = CommonOptions.Threads();
        var check = new Command("check", "Run the converted model and the original ONNX (ONNX Runtime) on the same inputs; prints max_abs_diff=<number> last.")
        {
            name, inputs, threads,
        };
        check.SetAction(parsed => Check(parsed.GetValue(name)!, parsed.GetValue(inputs), parsed.GetValue(threads)));
        models.Subcommands.Add(check);

        var exportName = new Argument<string>("name") { Description = "Zoo model with bundled weights, e.g. resnet18." };
        var exportOut = new Option<string>("--out") { Description = "Output file: .pth (torch.load-able state dict) or .safetensors.", Required = true };
        var export = new Command("export", "Write a zoo model's pretrained weights (torchvision names) as a PyTorch state dict, e.g. for the peer.")
        {
            exportName, exportOut,
        };
        export.SetAction(parsed => Export(parsed.GetValue(exportName)!, parsed.GetValue(exportOut)!));
        models.Subcommands.Add(export);
        return models;
    }

    private static int List()
    {
        foreach (var entry in ModelZoo.All)
        {
            Console.WriteLine($"{entry.Name,-12} {entry.Description}");
            if (entry.Text is { } text)
            {
                var b = text.Bert;
                Console.WriteLine($"{"",-12} text: BERT hidden {b.HiddenSize}, {b.NumHiddenLayers} layers, {b.NumAttentionHeads} heads, up to {b.MaxPositionEmbeddings} tokens, " +
                                  $"vocabulary {b.VocabSize} ({text.VocabularySource}); weights: {entry.Weights?.Description ?? "user-supplied"}; licence {entry.Config.License}");
                continue;
            }
            var n = entry.Config.Normalization!;
            Console.WriteLine($"{"",-12} input {entry.Config.InputSize}px, {n.ChannelOrder.ToString().ToUpperInvariant()} 0–{n.PixelScale:0.###}, " +
                              $"mean [{string.Join(", ", n.Mean.Select(F))}], std [{string.Join(", ", n.Std.Select(F))}], " +
                              $"{entry.Config.NumFeatures} features; weights: {entry.Weights?.Description ?? "user-supplied"}; licence {entry.Config.License}");
        }
        return 0;
    }

    private static int Check(string name, int inputCount, int threads)
    {
        if (inputCount < 1) throw new UsageException("--inputs must be at least 1");
        var entry = ModelZoo.Get(name);
        if (entry.Weights is MiniLmOnnxWeights)
        {
            CommonOptions.ApplyThreads(threads);
            return CheckBert(entry, inputCount);
        }
        if (entry.Weights is not OnnxResNetWeights onnx)
            throw new UsageException($"model '{entry.Name}' has no ONNX source to check against; checkable: " +
                                     string.Join(", ", ModelZoo.All.Where(e => e.Weights is OnnxResNetWeights or MiniLmOnnxWeights).Select(e => e.Name)));
        CommonOptions.ApplyThreads(threads);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (model, report) = ModelZoo.CreatePretrained(entry.Name, numClasses: 1);
        using var _ = model;
        Console.WriteLine($"loaded {report.Loaded.Count} tensors in {started.Elapsed.TotalSeconds:0.00} s " +
                          (report.FromCache ? "from the conversion cache: " : "converted from ONNX and cached: ") + report.Source);
        var onnxPath = onnx.File.Locate();
        var samples = ResNetParity.SampleInputs(entry.Config.Normalization!, entry.Config.InputSize, inputCount, seed: 1234);
        var result = ResNetParity.Check(model, onnxPath, samples);
        foreach (var t in samples) t.Dispose();
        for (int i = 0; i < result.PerInputMaxAbsDiff.Count; i++)
            Console.WriteLine($"input {i}: max |TorchSharp - ONNX Runtime| = {result.PerInputMaxAbsDiff[i]:E2}");
        Console.WriteLine($"features: {entry.Config.NumFeatures}-d, mean |value| {result.MeanAbsFeature:0.####}; reference {onnxPath}");
        Console.WriteLine($"max_abs_diff={result.MaxAbsDiff.ToString("E3", CultureInfo.InvariantCulture)}");
        return result.MaxAbsDiff < 1e-4 ? 0 : 1;
    }

    private static int Export(string name, string output)
    {
        var entry = ModelZoo.Get(name);
        if (entry.Weights is null) throw new UsageException($"model '{entry.Name}' has no bundled weights to export");
        var weights = entry.Weights.Load();
        try
        {
            if (output.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || output.EndsWith(".pt", StringComparison.OrdinalIgnoreCase))
                StateDictFile.WritePyTorch(output, weights.Tensors);
            else if (output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                StateDictFile.WriteSafetensors(output, weights.Tensors);
            else
                throw new UsageException($"--out: '{output}' must end in .pth, .pt or .safetensors");
        }
        finally
        {
            foreach (var t in weights.Tensors.Values) t.Dispose();
        }
        Console.WriteLine($"wrote {weights.Tensors.Count} tensors of {entry.Name} to {Path.GetFullPath(output)}");
        return 0;
    }

    /// <summary>Sentences of the parity check: the model card's pair first, then longer and odd inputs.</summary>
    private static readonly string[] Sentences =
    [
        "A man is eating food.",
        "A man is eating a piece of bread.",
        "The SpamAssassin public corpus holds 6,047 messages; about 31% of them are spam. Unsubscribe: http://example.com/?id=42 — ÜBER café naïve 東京!",
        "Fine-tuning BERT for text classification: further pre-training, multi-task learning, layer-wise learning-rate decay and head+tail truncation.",
    ];

    private static int CheckBert(ZooEntry entry, int inputCount)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var setup = TextModels.Create(entry, numClasses: 1, TextPooling.Mean, pretrained: true);
        using var _ = setup.Model;
        var report = setup.Load!;
        Console.WriteLine($"loaded {report.Loaded.Count} tensors in {started.Elapsed.TotalSeconds:0.00} s " +
                          (report.FromCache ? "from the conversion cache: " : "converted from ONNX and cached: ") + report.Source);
        var encoder = TextEncoder.FromVocabulary(setup.Vocabulary);
        var bert = setup.Model.Bert;
        var texts = Enumerable.Range(0, inputCount).Select(i => Sentences[i % Sentences.Length]).ToList();
        var result = BertParity.Check(bert, MiniLmOnnxWeights.ReadOnnx(), texts.Select(t => encoder.Encode(t, bert.Config.MaxPositionEmbeddings, new TextTruncation())).ToList());
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < result.PerInputMaxAbsDiff.Count; i++)
            Console.WriteLine(string.Create(inv, $"input {i} ({encoder.Encode(texts[i], 512, new TextTruncation()).Length} tokens): max |TorchSharp - ONNX Runtime| = {result.PerInputMaxAbsDiff[i]:E2}"));
        Console.WriteLine(string.Create(inv, $"last hidden state: {bert.Config.HiddenSize}-d per token, mean |value| {result.MeanAbsFeature:0.####}; reference: model.onnx in {MiniLmOnnxWeights.Assembly.Locate()}"));
        double cosine = SentenceEmbedder.Cosine(bert, encoder, Sentences[0], Sentences[1]);
        Console.WriteLine(string.Create(inv, $"cosine(\"{Sentences[0]}\", \"{Sentences[1]}\") = {cosine:0.0000} (mean-pooled, L2-normalised; published: 0.755)"));
        Console.WriteLine(string.Create(inv, $"cosine={cosine:0.0000}"));
        Console.WriteLine($"max_abs_diff={result.MaxAbsDiff.ToString("E3", inv)}");
        return result.MaxAbsDiff < 1e-4 ? 0 : 1;
    }

    private static string F(float v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
