using System.Text.Json;
using SharpTune.Cli;
using SharpTune.Tests.Cli;
using SharpTune.Tests.Export;
using SharpTune.Tests.Reliability;

namespace SharpTune.Tests.Hardening;

/// <summary><c>sharptune export --out</c> never overwrites a file it would write unless <c>--force</c> is given.</summary>
[Collection(TinyRunCollection.Name)]
public class CliHardeningExportTests(TinyRunFixture run)
{
    [Theory]
    [InlineData("onnx")]
    [InlineData("safetensors")]
    public void Export_to_an_existing_file_exits_2_naming_out_and_leaves_it_alone(string format)
    {
        using var dir = new TempDirectory();
        // A dataset image, the kind of file a mistyped --out would destroy.
        var image = dir.File("cat.png");
        File.Copy(run.TestImages[0], image);
        var before = File.ReadAllBytes(image);

        var (code, stdout, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", format, "--out", image, "--threads", "1");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: --out", stderr.Trim());
        Assert.Contains(image, stderr);
        Assert.Contains("--force", stderr);
        Assert.DoesNotContain("wrote", stdout);
        Assert.Equal(before, File.ReadAllBytes(image));
        Assert.False(File.Exists(dir.File("config.json")));
    }

    [Fact]
    public void Export_of_a_state_dict_beside_an_existing_config_json_exits_2_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), "{\"mine\": true}");

        var (code, _, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "pth", "--out", dir.File("weights.pth"), "--threads", "1");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Contains("--out", stderr);
        Assert.Contains(dir.File("config.json"), stderr);
        Assert.Equal("{\"mine\": true}", File.ReadAllText(dir.File("config.json")));
        Assert.False(File.Exists(dir.File("weights.pth")));
    }

    [Fact]
    public void Export_into_an_existing_folder_works_once_then_needs_force()
    {
        using var dir = new TempDirectory();
        var folder = dir.File("out");
        Directory.CreateDirectory(folder);
        var model = Path.Combine(folder, "model.onnx");

        var (code, _, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "onnx", "--out", folder, "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(model));

        File.WriteAllText(model, "older export");
        (code, _, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "onnx", "--out", folder, "--threads", "1");
        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Contains("--out", stderr);
        Assert.Contains(model, stderr);
        Assert.Equal("older export", File.ReadAllText(model));

        (code, _, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "onnx", "--out", folder, "--force", "--threads", "1");
        Assert.True(code == 0, stderr);
        Assert.NotEqual("older export", File.ReadAllText(model));
    }

    [Fact]
    public void Export_of_a_state_dict_named_config_json_exits_2_even_with_force()
    {
        using var dir = new TempDirectory();

        var (code, _, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "safetensors", "--out", dir.File("config.json"), "--force", "--threads", "1");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: --out", stderr);
        Assert.False(File.Exists(dir.File("config.json")));
    }

    [Fact]
    public void Export_force_overwrites_the_file_and_its_config_json()
    {
        using var dir = new TempDirectory();
        var output = dir.File("model.safetensors");
        File.WriteAllText(output, "old");
        File.WriteAllText(dir.File("config.json"), "old");

        var (code, stdout, stderr) = CliRunner.Run("export", "--run", run.RunDirectory, "--format", "safetensors", "--out", output, "--force", "--threads", "1");

        Assert.True(code == 0, stderr);
        Assert.Contains($"wrote {output}", stdout);
        Assert.NotEqual("old", File.ReadAllText(dir.File("config.json")));
    }
}

/// <summary>Values System.CommandLine cannot convert are reported by option and reason, without .NET type names.</summary>
public class CliHardeningParseErrorTests
{
    [Theory]
    [InlineData("--top-k", "NaN", "is not a whole number", "predict", "--run", "RUN", "a text")]
    [InlineData("--batch-size", "2.5", "is not a whole number", "predict", "--run", "RUN", "a text")]
    [InlineData("--threads", "many", "is not a whole number", "predict", "--run", "RUN", "a text")]
    [InlineData("--batch-size", "x", "is not a whole number", "evaluate", "--run", "RUN", "--data", "DATA")]
    [InlineData("--opset", "1e3", "is not a whole number", "export", "--run", "RUN", "--format", "onnx")]
    [InlineData("--verify-inputs", "99999999999", "is out of range", "export", "--run", "RUN", "--format", "onnx")]
    public void Unparsable_numbers_exit_2_naming_the_option_and_the_value(string option, string value, string reason, params string[] command)
    {
        var (code, stdout, stderr) = CliRunner.Run([.. command, option, value]);

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"error: {option}: '{value}' {reason}", stderr);
        Assert.DoesNotContain("System.", stderr);
        Assert.DoesNotContain("Int32", stderr);
    }

    [Fact]
    public void A_value_outside_the_choices_is_reported_under_the_option_name()
    {
        var (code, _, stderr) = CliRunner.Run("export", "--run", "RUN", "--format", "xyz");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: --format: ", stderr);
        Assert.Contains("'xyz'", stderr);
    }

    [Fact]
    public void A_double_option_says_not_a_number()
    {
        var (code, _, stderr) = CliRunner.Run("lr-find", "--data", "DATA", "--start-lr", "fast");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: --start-lr: 'fast' is not a number", stderr);
        Assert.DoesNotContain("System.", stderr);
    }
}

/// <summary>A text run classifies texts: file paths and empty strings given as inputs are usage errors.</summary>
public class CliHardeningTextInputTests(CliHardeningTextInputTests.TextRun text) : IClassFixture<CliHardeningTextInputTests.TextRun>
{
    /// <summary>One tiny text run (test-bert, one epoch on a two-class CSV), trained once for the class.</summary>
    public sealed class TextRun : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public TextRun()
        {
            var data = _dir.File("data");
            Directory.CreateDirectory(data);
            string[] rows = ["text,label", "win free money now,spam", "free prize claim now,spam", "meeting notes for the project,ham", "see you at lunch tomorrow,ham"];
            File.WriteAllLines(Path.Combine(data, "train.csv"), [.. rows, .. rows[1..]]);
            File.WriteAllLines(Path.Combine(data, "test.csv"), rows);
            RunDirectory = _dir.File("run");
            var (code, _, stderr) = CliRunner.Run("finetune", "--data", data, "--out", RunDirectory, "--epochs", "1", "--model", "test-bert", "--init", "scratch",
                "--max-length", "16", "--batch-size", "4", "--threads", "1");
            if (code != 0) throw new InvalidOperationException("tiny text run failed: " + stderr);
        }

        public string RunDirectory { get; }

        public string Scratch(string name) => _dir.File(name);

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void An_existing_file_given_to_a_text_run_exits_2_saying_it_classifies_texts()
    {
        using var dir = new TempDirectory();
        var photo = dir.File("notes"); // no image extension: it is refused because it exists
        File.WriteAllText(photo, "not a text to classify");

        var (code, stdout, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "a real sentence", photo);

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains(photo, stderr);
        Assert.Contains("input 2", stderr);
        Assert.Contains("classifies texts, not files", stderr);
        Assert.Contains("--input-file", stderr);
    }

    [Theory]
    [InlineData("photo.jpg")]
    [InlineData("holiday/IMG_0001.JPEG")]
    public void A_path_to_an_image_that_does_not_exist_is_refused_too(string path)
    {
        var (code, _, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, path);

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Contains($"input 1 '{path}'", stderr);
        Assert.Contains("classifies texts, not files", stderr);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void An_empty_or_blank_text_exits_2_naming_its_position(string blank)
    {
        var (code, stdout, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "first text", "second text", blank);

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: input 3 is empty", stderr);
    }

    [Fact]
    public void A_sentence_that_mentions_an_image_is_still_a_text()
    {
        var (code, stdout, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "I uploaded cat.jpg for you", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("I uploaded cat.jpg for you", json.RootElement[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Export_of_a_text_run_into_a_folder_with_a_vocab_txt_exits_2_naming_it()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("vocab.txt"), "another model's vocabulary");

        var (code, _, stderr) = CliRunner.Run("export", "--run", text.RunDirectory, "--format", "onnx", "--out", dir.Path, "--threads", "1");

        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: --out", stderr);
        Assert.Contains(dir.File("vocab.txt"), stderr);
        Assert.False(File.Exists(dir.File("model.onnx")));
        Assert.Equal("another model's vocabulary", File.ReadAllText(dir.File("vocab.txt")));
    }

    [Fact]
    public void Input_file_reads_one_text_per_line_skipping_blank_lines()
    {
        var file = text.Scratch("texts.txt");
        File.WriteAllLines(file, ["win free money now", "", "lunch meeting notes", "   "]);

        var (code, stdout, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "--input-file", file, "typed text", "--json", "--top-k", "1");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["typed text", "win free money now", "lunch meeting notes"],
            json.RootElement.EnumerateArray().Select(e => e.GetProperty("text").GetString()));
    }

    [Fact]
    public void Input_file_that_is_missing_or_has_no_inputs_exits_2_naming_it()
    {
        var missing = text.Scratch("missing.txt");
        var (code, _, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "--input-file", missing);
        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith($"error: --input-file: '{missing}'", stderr);

        var blank = text.Scratch("blank.txt");
        File.WriteAllText(blank, "\n  \n");
        (code, _, stderr) = CliRunner.Run("predict", "--run", text.RunDirectory, "--input-file", blank);
        Assert.Equal(SharpTuneCli.UsageError, code);
        Assert.StartsWith("error: ", stderr);
        Assert.Contains("no inputs", stderr);
    }
}

/// <summary>Help and usage lines call the command <c>sharptune</c>, whatever the binary is named.</summary>
public class CliHardeningHelpTests
{
    [Theory]
    [InlineData("sharptune [command] [options]", "--help")]
    [InlineData("sharptune predict [<inputs>...] [options]", "predict", "--help")]
    [InlineData("sharptune export [options]", "export", "--help")]
    public void Usage_lines_say_sharptune_not_the_assembly_name(string usage, params string[] args)
    {
        var (code, stdout, stderr) = CliProcess.Run(null, args);

        Assert.True(code == 0, stderr);
        Assert.Contains(usage, stdout);
        Assert.DoesNotContain("SharpTune.Cli", stdout);
    }

    [Fact]
    public void Version_still_works()
    {
        var (code, stdout, stderr) = CliProcess.Run(null, "--version");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
    }
}
