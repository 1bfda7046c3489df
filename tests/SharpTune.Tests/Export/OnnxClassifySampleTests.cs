using System.Diagnostics;
using System.Globalization;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Onnx;

namespace SharpTune.Tests.Export;

/// <summary>
/// samples/OnnxClassify, run as a user would: a separate process with ONNX Runtime and SkiaSharp only, its own
/// preprocessing from the ONNX metadata. The test project references the sample (without its assembly), so it is
/// built with the tests; when it is not there the test builds it with <c>dotnet build</c>.
/// </summary>
[Collection(TinyRunCollection.Name)]
public class OnnxClassifySampleTests(TinyRunFixture run)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_sample_classifies_like_SharpTune(bool includePreprocessing)
    {
        using var dir = new TempDirectory();
        string file;
        using (var model = SharpTuneModel.Load(run.RunDirectory))
            file = RunExporter.Export(model, ExportFormat.Onnx, dir.File("m.onnx"), new OnnxExportOptions(IncludePreprocessing: includePreprocessing)).ModelFile;
        var images = run.TestImages;
        using var reference = OnnxClassifier.Load(file, threads: 1);
        var expected = reference.PredictBatch(images, topK: 1);

        var (code, stdout, stderr) = RunSample([file, .. images, "--top-k", "1"]);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(images.Count * 2, lines.Length);
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(images[i], lines[2 * i]);
            var parts = lines[2 * i + 1].Trim().Split("  ", 2);
            Assert.Equal(expected[i][0].Class, parts[1]);
            // Skia's resampling is not PIL's bit for bit: close, not identical.
            Assert.Equal(expected[i][0].Probability, float.Parse(parts[0], CultureInfo.InvariantCulture), 0.02f);
        }
    }

    [Fact]
    public void The_sample_reports_a_file_without_metadata()
    {
        using var dir = new TempDirectory();
        var g = new OnnxGraphBuilder("identity");
        var x = g.Input("x", global::Onnx.TensorProto.Types.DataType.Float, 1);
        g.Output(g.Node("y", "Identity", [x]), global::Onnx.TensorProto.Types.DataType.Float, 1);
        File.WriteAllBytes(dir.File("foreign.onnx"), Google.Protobuf.MessageExtensions.ToByteArray(g.ToModel(13, "0", new Dictionary<string, string>(), "")));
        var (code, _, stderr) = RunSample([dir.File("foreign.onnx"), run.TestImages[0]]);
        Assert.Equal(1, code);
        Assert.Contains("no SharpTune metadata", stderr);
    }

    private static (int Code, string Stdout, string Stderr) RunSample(string[] args)
    {
        var root = RepositoryRoot();
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var dll = Path.Combine(root, "samples", "OnnxClassify", "bin", configuration, "net10.0", "linux-x64", "OnnxClassify.dll");
        if (!File.Exists(dll))
        {
            var build = Run("dotnet", ["build", Path.Combine(root, "samples", "OnnxClassify"), "-c", configuration, "-nologo", "-v", "q"]);
            Assert.True(build.Code == 0, build.Stdout + build.Stderr);
        }
        return Run("dotnet", [dll, .. args]);
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "SharpTune.slnx"))) return d.FullName;
        throw new InvalidOperationException("SharpTune.slnx not found above " + AppContext.BaseDirectory);
    }
}
