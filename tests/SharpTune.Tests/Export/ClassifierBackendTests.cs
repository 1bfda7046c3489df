using SharpTune.Data;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Onnx;
using SharpTune.Training;
using SharpTune.Weights;

namespace SharpTune.Tests.Export;

/// <summary>The inference API on both backends: same answers, streams, batching, concurrent callers, clear errors.</summary>
[Collection(TinyRunCollection.Name)]
public class ClassifierBackendTests(TinyRunFixture run)
{
    public static TheoryData<bool> PreprocessingVariants => new() { false, true };

    [Theory]
    [MemberData(nameof(PreprocessingVariants))]
    public void Run_directory_and_onnx_file_give_the_same_answers(bool includePreprocessing)
    {
        using var dir = new TempDirectory();
        using var torch = SharpTuneModel.Load(run.RunDirectory);
        var file = RunExporter.Export(torch, ExportFormat.Onnx, dir.File("m.onnx"), new OnnxExportOptions(IncludePreprocessing: includePreprocessing)).ModelFile;
        using var onnx = OnnxClassifier.Load(file, threads: 1);
        Assert.Equal(torch.Classes, onnx.Classes);
        Assert.Equal(torch.Preprocessing, onnx.Preprocessing);

        var images = run.TestImages;
        torch.MaxBatchSize = onnx.MaxBatchSize = 3; // several batches, the last one short
        var a = torch.PredictBatch(images, topK: 2);
        var b = onnx.PredictBatch(images, topK: 2);
        Assert.Equal(images.Count, a.Count);
        // The logits of the two backends differ by at most Tolerances.Forward (relative to the largest logit); a softmax
        // moves by at most half the logits' difference (|∂p_i| ≤ p_i(1 − p_i)·2·max|∂z|), then rounds to float once.
        var spec = torch.Info.Spec;
        double bound = Tolerances.Forward(Tolerances.MaxAbs(torch.Logits(images.Select(i => ImageDecoder.Decode(i)).ToList())),
            Tolerances.Depth(spec), Tolerances.LongestReduction(spec)) / 2 + Tolerances.EpsF32;
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(a[i].Select(p => p.Class), b[i].Select(p => p.Class));
            for (int k = 0; k < 2; k++) Tolerances.Within(Math.Abs(a[i][k].Probability - b[i][k].Probability), bound, $"image {i}, top {k + 1}");
        }
    }

    [Fact]
    public void Predict_takes_a_path_or_a_stream_and_returns_sorted_probabilities()
    {
        using var model = SharpTuneModel.Load(run.RunDirectory);
        var image = run.TestImages[0];
        var fromPath = model.Predict(image, topK: 5);
        using var stream = new MemoryStream(File.ReadAllBytes(image));
        var fromStream = model.Predict(stream, topK: 5);
        Assert.Equal(fromPath, fromStream);
        Assert.Equal(2, fromPath.Count); // top-k is capped by the class count
        Assert.True(fromPath[0].Probability >= fromPath[1].Probability);
        // The softmax normalises in double, then rounds each probability to float once (≤ eps/2 of it, eps/2 in all);
        // summing C floats rounds at most C times more, each ≤ eps/2 of a partial sum ≤ 1: (C + 1)·eps/2 in all, which
        // is a worst case; the bound is twice that.
        Tolerances.Within(Math.Abs(1 - fromPath.Sum(p => p.Probability)), (fromPath.Count + 1) * Tolerances.EpsF32, "sum of the probabilities");
        Assert.Equal(fromPath[0].Class, model.Classes[fromPath[0].Index]);
    }

    [Fact]
    public void Concurrent_callers_get_the_answers_of_sequential_calls_on_both_backends()
    {
        using var dir = new TempDirectory();
        using var torch = SharpTuneModel.Load(run.RunDirectory);
        var file = RunExporter.Export(torch, ExportFormat.Onnx, dir.File("m.onnx")).ModelFile;
        using var onnx = OnnxClassifier.Load(file);
        var images = run.TestImages;
        foreach (IImageClassifier model in new IImageClassifier[] { torch, onnx })
        {
            var sequential = images.Select(i => model.Predict(i, 1)[0]).ToList();
            var concurrent = new Prediction[images.Count * 4];
            Parallel.For(0, concurrent.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                using var s = File.OpenRead(images[i % images.Count]);
                concurrent[i] = i % 2 == 0 ? model.Predict(images[i % images.Count], 1)[0] : model.Predict(s, 1)[0];
            });
            for (int i = 0; i < concurrent.Length; i++)
            {
                Assert.Equal(sequential[i % images.Count].Class, concurrent[i].Class);
                // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
                Assert.Equal(sequential[i % images.Count].Probability, concurrent[i].Probability, 1e-6f);
            }
        }
    }

    [Fact]
    public void Images_that_are_missing_or_not_decodable_are_named_in_the_error()
    {
        using var dir = new TempDirectory();
        using var model = SharpTuneModel.Load(run.RunDirectory);
        File.WriteAllText(dir.File("notes.jpg"), "this is not a JPEG");
        var images = run.TestImages.Take(3).Append(dir.File("notes.jpg")).Append(dir.File("missing.png")).ToList();
        var e = Assert.Throws<DataException>(() => model.PredictBatch(images));
        Assert.StartsWith(dir.File("notes.jpg") + ": not an image", e.Message);
        e = Assert.Throws<DataException>(() => model.Predict(dir.File("missing.png")));
        Assert.Equal(dir.File("missing.png") + ": file not found", e.Message);
        e = Assert.Throws<DataException>(() => model.Predict(new MemoryStream([1, 2, 3, 4])));
        Assert.StartsWith("stream: not an image", e.Message);
    }

    [Fact]
    public void Run_directories_of_another_format_version_or_without_weights_are_refused()
    {
        using var dir = new TempDirectory();
        var copy = dir.File("run");
        Directory.CreateDirectory(copy);
        foreach (var f in new[] { "model.json", "model.safetensors" }) File.Copy(Path.Combine(run.RunDirectory, f), Path.Combine(copy, f));
        var json = File.ReadAllText(Path.Combine(copy, "model.json"));
        File.WriteAllText(Path.Combine(copy, "model.json"), json.Replace("\"format_version\": 1", "\"format_version\": 2"));
        var e = Assert.Throws<RunDirectoryException>(() => SharpTuneModel.Load(copy));
        Assert.Equal($"{Path.Combine(copy, "model.json")}: format version 2; this SharpTune reads version 1", e.Message);

        File.WriteAllText(Path.Combine(copy, "model.json"), json);
        File.Delete(Path.Combine(copy, "model.safetensors"));
        e = Assert.Throws<RunDirectoryException>(() => SharpTuneModel.Load(copy));
        Assert.StartsWith(Path.Combine(copy, "model.safetensors") + ": weights file not found", e.Message);

        e = Assert.Throws<RunDirectoryException>(() => SharpTuneModel.Load(dir.File("nothing-here")));
        Assert.EndsWith("nothing-here: run directory not found", e.Message);
    }

    [Fact]
    public void Onnx_files_that_are_missing_foreign_corrupt_or_newer_are_refused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<WeightsException>(() => OnnxClassifier.Load(dir.File("none.onnx")));
        Assert.Equal(dir.File("none.onnx") + ": ONNX file not found", e.Message);

        File.WriteAllBytes(dir.File("junk.onnx"), [1, 2, 3, 4, 5]);
        e = Assert.Throws<WeightsException>(() => OnnxClassifier.Load(dir.File("junk.onnx")));
        Assert.StartsWith(dir.File("junk.onnx") + ": not a loadable ONNX model", e.Message);

        // A valid ONNX graph without SharpTune metadata.
        var g = new OnnxGraphBuilder("identity");
        var x = g.Input("x", global::Onnx.TensorProto.Types.DataType.Float, 1);
        g.Output(g.Node("y", "Identity", [x]), global::Onnx.TensorProto.Types.DataType.Float, 1);
        File.WriteAllBytes(dir.File("foreign.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(g.ToModel(13, "0", new Dictionary<string, string>(), "")));
        e = Assert.Throws<WeightsException>(() => OnnxClassifier.Load(dir.File("foreign.onnx")));
        Assert.StartsWith(dir.File("foreign.onnx") + ": no SharpTune metadata", e.Message);

        // Metadata from a newer SharpTune.
        using (var model = SharpTuneModel.Load(run.RunDirectory))
            RunExporter.Export(model, ExportFormat.Onnx, dir.File("m.onnx"));
        var proto = OnnxFile.Read(dir.File("m.onnx"));
        proto.MetadataProps.Single(p => p.Key == OnnxClassifierMetadata.VersionKey).Value = "2";
        File.WriteAllBytes(dir.File("newer.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(proto));
        e = Assert.Throws<WeightsException>(() => OnnxClassifier.Load(dir.File("newer.onnx")));
        Assert.Equal(dir.File("newer.onnx") + ": metadata version 2; this SharpTune reads version 1", e.Message);
    }

    [Fact]
    public void Predict_after_dispose_throws()
    {
        var model = SharpTuneModel.Load(run.RunDirectory);
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Predict(run.TestImages[0]));
    }
}
