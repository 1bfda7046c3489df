using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Onnx;
using SharpTune.Tests.Cli;
using SharpTune.Text;
using Google.Protobuf;
using SharpTune.Weights;

namespace SharpTune.Tests.Export;

/// <summary>Two finished tiny text runs (test-bert, mean and cls pooling), trained once for the BERT export tests.</summary>
public sealed class TinyTextRunsFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TinyTextRunsFixture()
    {
        var data = _dir.File("data");
        Directory.CreateDirectory(data);
        string[] spam = ["win free money now", "free prize claim now", "cheap pills win big", "click to win cash"];
        string[] ham = ["meeting notes for the project", "see you at lunch tomorrow", "the build is green again", "draft of the report attached"];
        foreach (var (file, repeat) in new[] { ("train.csv", 3), ("test.csv", 1) })
        {
            var rows = Enumerable.Range(0, repeat).SelectMany(_ => spam.Select(t => $"{t},spam").Concat(ham.Select(t => $"{t},ham")));
            File.WriteAllLines(Path.Combine(data, file), ["text,label", .. rows]);
        }
        foreach (var pooling in new[] { "mean", "cls" })
        {
            var run = _dir.File("run-" + pooling);
            var (code, _, stderr) = CliRunner.Run("finetune", "--data", data, "--out", run, "--epochs", "2", "--model", "test-bert", "--init", "scratch",
                "--max-length", "16", "--batch-size", "8", "--lr", "0.003", "--threads", "1", "--pooling", pooling);
            if (code != 0) throw new InvalidOperationException($"tiny text run ({pooling}) failed: {stderr}");
            Runs[pooling] = run;
        }
    }

    /// <summary>Run directories by pooling (<c>mean</c>, <c>cls</c>).</summary>
    public Dictionary<string, string> Runs { get; } = [];

    public void Dispose() => _dir.Dispose();
}

/// <summary>BERT text classifiers as ONNX: standard graph, tokenizer metadata, ONNX Runtime parity with TorchSharp, padding invariance.</summary>
public class BertOnnxExportTests(TinyTextRunsFixture runs) : IClassFixture<TinyTextRunsFixture>
{
    private static readonly HashSet<string> AllowedOps =
        ["Gather", "Shape", "Slice", "Add", "Sub", "Mul", "Div", "Cast", "Unsqueeze", "LayerNormalization", "Transpose", "MatMul", "Reshape",
         "Softmax", "Erf", "ReduceSum", "Max", "Gemm", "Tanh"];

    private static readonly string[] Texts =
    [
        "WIN free cash now, click to claim",
        "lunch tomorrow?",
        "draft of the quarterly report attached for the project meeting with the whole finance team next week",
        "free prize",
    ];

    [Theory]
    [InlineData("mean")]
    [InlineData("cls")]
    public void Onnx_Runtime_matches_TorchSharp_to_float32_rounding_and_padding_changes_nothing(string pooling)
    {
        using var dir = new TempDirectory();
        using var model = TextClassifier.Load(runs.Runs[pooling]);
        var result = RunExporter.Export(model, ExportFormat.Onnx, dir.File("out/model.onnx"));
        Assert.Equal([dir.File("out/model.onnx"), dir.File("out/vocab.txt")], result.Files);
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs.Runs[pooling], "vocab.txt")), File.ReadAllBytes(dir.File("out/vocab.txt")));

        var encoded = Texts.Select(t => model.Encoder.Encode(t, model.Info.MaxLength, model.Info.TruncationRule)).ToList();
        Assert.True(encoded.Select(e => e.Length).Distinct().Count() > 2, "the batch needs padding");
        var (ids, mask) = OnnxExportVerifier.Pad(encoded, model.Info.Bert.PadTokenId);
        var (ours, _) = OnnxExportVerifier.TorchSharpOutputs(model.Module, ids, mask);

        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(result.ModelFile, options);
        var (logits, probabilities) = OnnxExportVerifier.RunTextGraph(session, ids, mask);
        double maxDiff = MaxAbsDiff(ours, logits);
        Console.WriteLine($"BERT ONNX export ({pooling} pooling): max |logit diff| = {maxDiff.ToString("E2", CultureInfo.InvariantCulture)}");
        // Two float32 evaluations of the tiny BERT (ONNX Runtime's kernels and libtorch's; so are the padding and
        // alone-or-batched comparisons below, other sequence lengths and batch sizes blocking the products otherwise):
        // Tolerances.Forward, relative to the largest logit.
        var config = model.Info.Bert;
        double Bound(int length) => Tolerances.Forward(Tolerances.MaxAbs(ours), Tolerances.Depth(config), Tolerances.LongestReduction(config, length));
        Tolerances.Within(maxDiff, Bound(ids.GetLength(1)), $"tiny BERT ({pooling}), ONNX Runtime vs TorchSharp");
        Assert.True(MeanAbs(ours) > 1e-3, "logits are not all zero");
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(ArgMax(ours, i), ArgMax(logits, i));
            Assert.InRange(Enumerable.Range(0, logits.GetLength(1)).Sum(c => probabilities[i, c]), 0.9999f, 1.0001f);
        }

        // Extra padding (to a longer sequence, with a different pad id) and each text alone, unpadded: same logits.
        var (longIds, longMask) = OnnxExportVerifier.Pad(encoded, model.Info.Bert.PadTokenId, length: ids.GetLength(1) + 7);
        for (int i = 0; i < Texts.Length; i++)
            for (int j = encoded[i].Length; j < longIds.GetLength(1); j++) longIds[i, j] = 42; // masked tokens are ignored whatever they are
        var (padded, _) = OnnxExportVerifier.RunTextGraph(session, longIds, longMask);
        Tolerances.Within(MaxAbsDiff(logits, padded), Bound(longIds.GetLength(1)), $"tiny BERT ({pooling}), 7 more masked tokens");
        for (int i = 0; i < Texts.Length; i++)
        {
            var (oneIds, oneMask) = OnnxExportVerifier.Pad([encoded[i]], model.Info.Bert.PadTokenId);
            var (alone, _) = OnnxExportVerifier.RunTextGraph(session, oneIds, oneMask);
            for (int c = 0; c < alone.GetLength(1); c++) Tolerances.Within(Math.Abs(alone[0, c] - logits[i, c]), Bound(ids.GetLength(1)), $"tiny BERT ({pooling}), text {i} alone");
        }

        var samples = OnnxExportVerifier.SampleTexts(8);
        var parity = OnnxExportVerifier.VerifyText(model, result.ModelFile, samples, threads: 1);
        Assert.Equal(8, parity.PerInputMaxAbsDiff.Count);
        var (sampleIds, sampleMask) = OnnxExportVerifier.Pad(samples.Select(t => model.Encoder.Encode(t, model.Info.MaxLength, model.Info.TruncationRule)).ToList(),
            model.Info.Bert.PadTokenId);
        double sampleScale = Tolerances.MaxAbs(OnnxExportVerifier.TorchSharpOutputs(model.Module, sampleIds, sampleMask).Logits);
        Tolerances.Within(parity.MaxAbsDiff, Tolerances.Forward(sampleScale, Tolerances.Depth(config), Tolerances.LongestReduction(config, sampleIds.GetLength(1))),
            $"tiny BERT ({pooling}), VerifyText");
    }

    [Fact]
    public void The_graph_is_standard_opset_17_onnx_with_dynamic_batch_and_sequence_and_tokenizer_metadata()
    {
        using var dir = new TempDirectory();
        using var model = TextClassifier.Load(runs.Runs["mean"]);
        var file = RunExporter.Export(model, ExportFormat.Onnx, dir.Path + "/").ModelFile;
        Assert.Equal(dir.File("model.onnx"), file);
        var proto = OnnxFile.Read(file);

        Assert.Equal(17, Assert.Single(proto.OpsetImport).Version);
        Assert.Subset(AllowedOps, proto.Graph.Node.Select(n => n.OpType).ToHashSet());
        Assert.Contains(proto.Graph.Node, n => n.OpType == "LayerNormalization");
        Assert.Contains(proto.Graph.Node, n => n.OpType == "Erf");
        Assert.Equal(["input_ids", "attention_mask"], proto.Graph.Input.Select(i => i.Name));
        foreach (var input in proto.Graph.Input)
        {
            Assert.Equal((int)global::Onnx.TensorProto.Types.DataType.Int64, input.Type.TensorType.ElemType);
            Assert.Equal(["batch", "sequence"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam));
        }
        Assert.Equal(["logits", "probabilities"], proto.Graph.Output.Select(o => o.Name));
        var initializers = proto.Graph.Initializer.ToDictionary(t => t.Name);
        Assert.Equal([32L, 32], initializers["bert.encoder.layer.1.attention.self.query.weight"].Dims); // PyTorch name and [out, in] shape
        Assert.Contains("classifier.weight", initializers.Keys);
        Assert.DoesNotContain(initializers.Keys, k => k.StartsWith("bert.pooler.", StringComparison.Ordinal)); // mean pooling

        var meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("[\"ham\",\"spam\"]", meta["classes"]);
        Assert.Equal("bert", meta["architecture"]);
        Assert.Equal("mean", meta["pooling"]);
        Assert.Equal("16", meta["max_length"]);
        Assert.Contains("\"wordpiece\"", meta["tokenizer"]);
        Assert.Contains("\"lower_case\":true", meta["tokenizer"]);
        Assert.Contains("\"vocab_file\":\"vocab.txt\"", meta["tokenizer"]);
        var parsed = OnnxTextClassifierMetadata.Parse(meta, file);
        Assert.Equal(model.Info.TruncationRule, parsed.Truncation);
        Assert.Equal(TextPooling.Mean, parsed.Pooling);
        Assert.Contains("text classifier", Assert.Throws<WeightsException>(() => OnnxClassifier.Load(file)).Message); // not an image classifier
    }

    [Fact]
    public void Export_command_verifies_a_text_run_and_prints_max_abs_diff_last()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = CliRunner.Run("export", "--run", runs.Runs["cls"], "--format", "onnx", "--out", dir.File("m.onnx"),
            "--verify", "--verify-inputs", "3", "--threads", "1");
        Assert.True(code == 0, stderr + stdout);
        Assert.True(File.Exists(dir.File("vocab.txt")));
        var last = stdout.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("max_abs_diff=", last);
        // The CLI's own gate (ExportCommand.Tolerance, exit 1 at or above it); logged to re-measure the margin.
        Tolerances.Within(double.Parse(last["max_abs_diff=".Length..], CultureInfo.InvariantCulture), SharpTune.Cli.Commands.ExportCommand.Tolerance, "export --verify, tiny BERT");

        (code, _, stderr) = CliRunner.Run("export", "--run", runs.Runs["cls"], "--format", "safetensors", "--out", dir.File("m.safetensors"));
        Assert.Equal(SharpTune.Cli.SharpTuneCli.UsageError, code);
        Assert.Contains("onnx", stderr);

        (code, _, stderr) = CliRunner.Run("export", "--run", runs.Runs["cls"], "--format", "onnx", "--opset", "16", "--out", dir.File("old.onnx"));
        Assert.Equal(SharpTune.Cli.SharpTuneCli.UsageError, code);
        Assert.Contains("opset", stderr);
    }

    [Fact]
    public void Pretrained_MiniLM_body_exports_to_float32_rounding()
    {
        using var cache = new TemporaryCache();
        var setup = TextModels.Create(ModelZoo.Get("minilm"), 2, TextPooling.Mean, pretrained: true);
        using var model = setup.Model;
        using (TorchSharp.torch.no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name == "classifier.weight") p.normal_(0, 0.1); // a head that makes feature errors visible in the logits
        model.eval();
        var metadata = new OnnxTextClassifierMetadata(["negative", "positive"], "minilm", TextPooling.Mean, 128, new TextTruncation(), "vocab.txt", 0);
        var bytes = BertOnnxExporter.Build(model, metadata, new OnnxExportOptions()).ToByteArray();

        var encoder = TextEncoder.FromVocabulary(setup.Vocabulary);
        var encoded = Texts.Select(t => encoder.Encode(t, 128, new TextTruncation())).ToList();
        var (ids, mask) = OnnxExportVerifier.Pad(encoded, model.Bert.Config.PadTokenId);
        var (ours, _) = OnnxExportVerifier.TorchSharpOutputs(model, ids, mask);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var (logits, _) = OnnxExportVerifier.RunTextGraph(session, ids, mask);
        double maxDiff = MaxAbsDiff(ours, logits);
        Console.WriteLine($"BERT ONNX export (MiniLM, mean pooling): max |logit diff| = {maxDiff.ToString("E2", CultureInfo.InvariantCulture)}, mean |logit| {MeanAbs(ours):0.###}");
        // MiniLM: 6 layers (depth 57), the longest reduction the intermediate projection's 1536 terms (Tolerances.Forward).
        var config = model.Bert.Config;
        Tolerances.Within(maxDiff, Tolerances.Forward(Tolerances.MaxAbs(ours), Tolerances.Depth(config), Tolerances.LongestReduction(config, ids.GetLength(1))),
            "MiniLM, ONNX Runtime vs TorchSharp");
        Assert.True(MeanAbs(ours) > 0.05, "logits are not all near zero");
        for (int i = 0; i < Texts.Length; i++) Assert.Equal(ArgMax(ours, i), ArgMax(logits, i));
    }

    internal static double MaxAbsDiff(float[,] a, float[,] b)
    {
        Assert.Equal(a.GetLength(0), b.GetLength(0));
        Assert.Equal(a.GetLength(1), b.GetLength(1));
        double max = 0;
        for (int r = 0; r < a.GetLength(0); r++)
            for (int c = 0; c < a.GetLength(1); c++) max = Math.Max(max, Math.Abs(a[r, c] - b[r, c]));
        return max;
    }

    private static double MeanAbs(float[,] a) => a.Cast<float>().Average(v => Math.Abs(v));

    private static int ArgMax(float[,] a, int row) =>
        Enumerable.Range(0, a.GetLength(1)).MaxBy(c => a[row, c]);
}
