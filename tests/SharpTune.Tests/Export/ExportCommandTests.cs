using System.Globalization;
using System.Text.Json;
using SharpTune.Cli;
using SharpTune.Tests.Cli;

namespace SharpTune.Tests.Export;

/// <summary><c>sharptune export</c> and <c>sharptune predict --onnx</c> end to end.</summary>
[Collection(TinyRunCollection.Name)]
public class ExportCommandTests(TinyRunFixture run)
{
    [Theory]
    [InlineData("onnx")]
    [InlineData("onnx", "--include-preprocessing")]
    [InlineData("safetensors")]
    [InlineData("pth")]
    public void Export_verify_prints_max_abs_diff_last_and_below_1e4(string format, params string[] extra)
    {
        using var dir = new TempDirectory();
        var output = dir.File("model." + format);
        var (code, stdout, stderr) = CliRunner.Run(["export", "--run", run.RunDirectory, "--format", format, "--out", output, "--verify", "--threads", "1", .. extra]);
        Assert.True(code == 0, stderr + stdout);
        Assert.True(File.Exists(output));
        Assert.Contains($"wrote {output}", stdout);
        if (format != "onnx") Assert.True(File.Exists(dir.File("config.json")));
        var last = stdout.TrimEnd().Split('\n')[^1];
        Assert.StartsWith("max_abs_diff=", last);
        // The CLI's own gate (ExportCommand.Tolerance, exit 1 at or above it); logged to re-measure the margin.
        Tolerances.Within(double.Parse(last["max_abs_diff=".Length..], CultureInfo.InvariantCulture), SharpTune.Cli.Commands.ExportCommand.Tolerance, $"export --verify {format} {string.Join(' ', extra)}");
    }

    [Fact]
    public void Export_defaults_to_the_run_directory_and_predict_onnx_answers_like_predict_run()
    {
        using var dir = new TempDirectory();
        // Export into a copy of the run (the default output folder is RUN/export).
        var copy = dir.File("run");
        Directory.CreateDirectory(copy);
        foreach (var f in new[] { "model.json", "model.safetensors" }) File.Copy(Path.Combine(run.RunDirectory, f), Path.Combine(copy, f));
        var (code, _, stderr) = CliRunner.Run("export", "--run", copy, "--format", "onnx");
        Assert.True(code == 0, stderr);
        var onnx = Path.Combine(copy, "export", "model.onnx");
        Assert.True(File.Exists(onnx));

        var images = run.TestImages.Take(4).ToArray();
        var (c1, fromRun, e1) = CliRunner.Run(["predict", "--run", copy, "--json", "--top-k", "2", "--threads", "1", .. images]);
        var (c2, fromOnnx, e2) = CliRunner.Run(["predict", "--onnx", onnx, "--json", "--top-k", "2", "--threads", "1", .. images]);
        Assert.True(c1 == 0, e1);
        Assert.True(c2 == 0, e2);
        using var a = JsonDocument.Parse(fromRun);
        using var b = JsonDocument.Parse(fromOnnx);
        // As in ClassifierBackendTests: the backends' logits differ by at most Tolerances.Forward (relative to the largest
        // logit), the probabilities by half that, plus one rounding to float.
        double bound;
        using (var model = SharpTune.Inference.SharpTuneModel.Load(copy))
            bound = Tolerances.Forward(Tolerances.MaxAbs(model.Logits(images.Select(i => SharpTune.Data.ImageDecoder.Decode(i)).ToList())),
                Tolerances.Depth(model.Info.Spec), Tolerances.LongestReduction(model.Info.Spec)) / 2 + Tolerances.EpsF32;
        for (int i = 0; i < images.Length; i++)
        {
            var pa = a.RootElement[i].GetProperty("predictions");
            var pb = b.RootElement[i].GetProperty("predictions");
            Assert.Equal(pa[0].GetProperty("class").GetString(), pb[0].GetProperty("class").GetString());
            Tolerances.Within(Math.Abs(pa[0].GetProperty("probability").GetSingle() - pb[0].GetProperty("probability").GetSingle()), bound, $"image {i}");
        }
    }

    [Fact]
    public void Bad_runs_and_images_exit_1_with_the_path_and_the_problem()
    {
        using var dir = new TempDirectory();
        var copy = dir.File("run");
        Directory.CreateDirectory(copy);
        File.WriteAllText(Path.Combine(copy, "model.json"),
            File.ReadAllText(Path.Combine(run.RunDirectory, "model.json")).Replace("\"format_version\": 1", "\"format_version\": 7"));
        var (code, _, stderr) = CliRunner.Run("export", "--run", copy, "--format", "onnx");
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.Equal($"error: {Path.Combine(copy, "model.json")}: format version 7; this SharpTune reads version 1", stderr.Trim());

        (code, _, stderr) = CliRunner.Run("export", "--run", dir.File("missing-run"), "--format", "pth");
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.Equal($"error: {dir.File("missing-run")}: run directory not found", stderr.Trim());

        File.WriteAllBytes(dir.File("broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]);
        (code, _, stderr) = CliRunner.Run("predict", "--run", run.RunDirectory, run.TestImages[0], dir.File("broken.png"));
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.StartsWith($"error: {dir.File("broken.png")}: ", stderr.Trim());

        (code, _, stderr) = CliRunner.Run("predict", "--run", run.RunDirectory, dir.File("gone.jpg"));
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.Equal($"error: {dir.File("gone.jpg")}: file not found", stderr.Trim());

        (code, _, stderr) = CliRunner.Run("predict", "--onnx", dir.File("gone.onnx"), run.TestImages[0]);
        Assert.Equal(SharpTuneCli.RuntimeError, code);
        Assert.Equal($"error: {dir.File("gone.onnx")}: ONNX file not found", stderr.Trim());
    }

    [Theory]
    [InlineData("export", "--run", "R", "--format", "tflite")]
    [InlineData("export", "--run", "R", "--format", "pth", "--include-preprocessing")]
    [InlineData("export", "--run", "R", "--format", "onnx", "--opset", "11")]
    [InlineData("export", "--format", "onnx")]
    [InlineData("predict", "--run", "R", "--onnx", "F", "x.jpg")]
    [InlineData("predict", "x.jpg")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args.Select(a => a == "R" ? run.RunDirectory : a).ToArray());
        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error:", stderr.TrimStart());
    }
}
