using System.Diagnostics;
using SharpTune.Tests.Reliability;
using SharpTune.Tests.Training;
using SharpTune.Training;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Hardening;

/// <summary>
/// The run pipeline under a careless user and an attacker (issue "Hardening"): no NaN model saved with exit 0, no
/// run that trained nothing reporting metrics, one writer per run directory, checkpoints that cannot point elsewhere,
/// and exit codes 0/1/2/130 with no native abort. Each test failed on the code before the fix.
/// </summary>
public class RunHardeningTests
{
    /// <summary>A small fast run; <paramref name="extra"/> (option, value pairs) override the defaults.</summary>
    private static string[] Args(string data, string output, params string[] extra)
    {
        var options = new List<(string Name, string Value)>
        {
            ("--data", data), ("--out", output), ("--model", "test-resnet"), ("--size", "32"), ("--batch-size", "8"),
            ("--epochs", "1"), ("--threads", "1"), ("--workers", "1"), ("--init", "scratch"),
        };
        for (int i = 0; i < extra.Length; i += 2)
        {
            options.RemoveAll(o => o.Name == extra[i]);
            options.Add((extra[i], extra[i + 1]));
        }
        return ["finetune", .. options.SelectMany(o => new[] { o.Name, o.Value })];
    }

    [Fact]
    public void Batch_size_one_with_training_batch_norm_is_refused_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 3, 1);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "--batch-size", "1"));
        Assert.Equal(2, code);
        Assert.Contains("--batch-size", stderr);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_last_training_batch_of_one_example_is_left_out_so_the_model_stays_finite()
    {
        // 9 training images at batch 8 leave a last batch of 1; at 32 px layer4's maps are 1×1, so a training-mode
        // BatchNorm would normalise one value per channel (NaN running variance, NaN predictions, exit 0 before).
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 5, 2);
        File.Delete(Path.Combine(data, "train", "dark", "004.png"));
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run));
        Assert.True(code == 0, stderr);
        var tensors = StateDictFile.Read(Path.Combine(run, "model.safetensors"));
        try
        {
            foreach (var (name, t) in tensors)
                if (t.is_floating_point()) Assert.True(t.isfinite().all().item<bool>(), $"{name} is not finite");
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        var (predictCode, stdout, _) = CliProcess.Run(null, "predict", "--run", run, "--json", Path.Combine(data, "test", "dark", "000.png"));
        Assert.Equal(0, predictCode);
        Assert.DoesNotContain("NaN", stdout);
    }

    [Fact]
    public void A_run_on_data_with_a_link_to_the_split_folder_trains_on_the_right_labels_and_reports_the_link()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 4, 1);
        Directory.CreateSymbolicLink(Path.Combine(data, "train", "bright", "up"), "..");
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run));
        Assert.True(code == 0, stderr);
        Assert.Contains("link not followed", stderr);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        Assert.Equal(8, summary["train_examples"]!.GetValue<int>()); // 4 per class, none counted twice or relabelled
        var links = summary["skipped_links"]!.AsArray();
        Assert.Single(links);
        Assert.Contains("up", links[0]!.GetValue<string>());
    }

    [Fact]
    public void A_non_finite_evaluation_loss_or_statistic_stops_the_run_instead_of_saving_it()
    {
        manual_seed(1);
        using var model = SharpTune.Models.ModelZoo.Get("test-resnet").Build(2);
        // What a one-example batch at 1×1 maps does to a BatchNorm: its running variance becomes NaN.
        var bn = model.named_modules().First(m => m.module is TorchSharp.Modules.BatchNorm2d).module as TorchSharp.Modules.BatchNorm2d;
        using (no_grad()) bn!.running_var!.fill_(float.NaN);
        var error = Assert.Throws<NonFiniteLossException>(() => FiniteCheck.EnsureFinite(model, 3));
        Assert.Contains("running_var", error.Message);

        using var optimizer = optim.SGD(model.parameters(), 1e-3);
        var trainer = new Trainer(model, optimizer, model.train, LossReduction.Mean, []);
        var eval = Assert.Throws<NonFiniteLossException>(() =>
            trainer.Fit(new SyntheticBatchSource(16, 8, 1), new SyntheticBatchSource(8, 8, 2), 1, 1));
        Assert.Contains("evaluation loss", eval.Message);
    }

    [Fact]
    public void An_epoch_that_trained_no_example_reports_no_metrics()
    {
        manual_seed(1);
        using var model = SharpTune.Models.ModelZoo.Get("test-resnet").Build(2);
        using var optimizer = optim.SGD(model.parameters(), 1e-3);
        var trainer = new Trainer(model, optimizer, model.train, LossReduction.Mean, []);
        var error = Assert.Throws<SharpTune.Data.DataException>(() =>
            trainer.Fit(new SyntheticBatchSource(0, 8, 1), new SyntheticBatchSource(8, 8, 2), 1, 1));
        Assert.Contains("no example", error.Message);
    }

    [Fact]
    public void A_batch_larger_than_the_training_set_is_clamped_and_saved_so_and_an_absurd_one_refused()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 4, 1);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "--batch-size", "500"));
        Assert.True(code == 0, stderr);
        Assert.Contains("using 8", stderr);
        Assert.Contains("batch-size: 8", File.ReadAllText(Path.Combine(run, "config.yaml")));

        var huge = CliProcess.Run(null, Args(data, dir.File("huge"), "--batch-size", "2147483647"));
        Assert.Equal(2, huge.Code);
        Assert.Contains("--batch-size", huge.Stderr);
        Assert.False(Directory.Exists(dir.File("huge")));
    }

    [Theory]
    [InlineData("--size", "100000")]
    [InlineData("--workers", "100000")]
    [InlineData("--lr", "1e39")]
    [InlineData("--weight-decay", "1e39")]
    [InlineData("--head-lr-mult", "1e300")]
    [InlineData("--threads", "100000000")]
    public void Out_of_range_options_are_usage_errors_with_nothing_written(string option, string value)
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, option, value));
        Assert.Equal(2, code);
        Assert.Contains($"error: {option}: '{value}' must be at most", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_deeply_nested_yaml_file_is_a_usage_error_not_a_stack_overflow()
    {
        using var dir = new TempDirectory();
        var config = dir.File("deep.yaml");
        File.WriteAllText(config, "epochs: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        var (code, _, stderr) = CliProcess.Run(null, "finetune", "--config", config, "--out", dir.File("run"));
        Assert.Equal(2, code);
        Assert.Contains("nested more than", stderr);
    }

    [Fact]
    public void Lora_options_without_method_lora_are_refused()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var (code, _, stderr) = CliProcess.Run(null, Args(data, dir.File("run"), "--lora-r", "100000"));
        Assert.Equal(2, code);
        Assert.Contains("--lora-r", stderr);
        var (code2, _, stderr2) = CliProcess.Run(null, Args(data, dir.File("run2"), "--lora-targets", "conv1"));
        Assert.Equal(2, code2);
        Assert.Contains("--lora-targets: applies to --method lora only", stderr2);
    }

    [Theory]
    [InlineData("nothing_matches")]
    [InlineData("re:layer4.(")]
    public void Lora_targets_that_match_nothing_or_do_not_parse_are_usage_errors_with_nothing_written(string targets)
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "--method", "lora", "--lora-targets", targets));
        Assert.Equal(2, code);
        Assert.Contains("--lora-targets", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Out_on_an_existing_file_is_refused_before_loading_and_the_file_is_kept()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 2, 1);
        var file = Path.Combine(data, "train", "dark", "000.png");
        var before = File.ReadAllBytes(file);
        var (code, _, stderr) = CliProcess.Run(null, Args(data, file));
        Assert.Equal(2, code);
        Assert.Contains("--out", stderr);
        Assert.DoesNotContain("data:", stderr); // refused before the data was opened
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Bf16_is_refused_on_cpus_without_native_bf16_unless_forced()
    {
        var options = new FineTuneOptions { Model = "test-resnet", Init = InitMode.Scratch, Precision = Precision.Bf16 };
        if (SharpTune.Hardware.CpuFeatures.HasNativeBf16)
        {
            OptionsValidator.Validate(options);
        }
        else
        {
            var error = Assert.Throws<SharpTune.Configuration.OptionsException>(() => OptionsValidator.Validate(options));
            Assert.Contains("--precision", error.Message);
            Assert.Contains("bf16-force", error.Message);
        }
        OptionsValidator.Validate(options with { Precision = Precision.Bf16Force });
        Assert.Equal("bf16-force", SharpTune.Configuration.OptionTable.Find("precision")!.Get(options with { Precision = Precision.Bf16Force }));
    }

    [Fact]
    public void Truncation_help_agrees_with_the_readme_on_510_tokens()
    {
        var help = SharpTune.Configuration.OptionTable.Find("truncation")!.Help;
        Assert.Contains("510", help);
        Assert.DoesNotContain("of 512)", help);
    }

    /// <summary>A run interrupted after its first epoch's checkpoint (SIGKILL at epoch 2, step 1).</summary>
    private static string Killed(TempDirectory dir, string data, int epochs = 3)
    {
        var run = dir.File("run");
        var killed = CliProcess.Run(new Dictionary<string, string> { ["SHARPTUNE_FAULT"] = "step:2:1" },
            Args(data, run, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(137, killed.Code);
        return run;
    }

    [Fact]
    public void Resume_refuses_a_latest_json_pointing_outside_the_runs_checkpoint_folder()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 4, 1);
        var run = Killed(dir, data);
        var latest = Path.Combine(run, "checkpoint", "latest.json");
        foreach (var folder in new[] { "../../other/checkpoint/epoch-0001", "/tmp/epoch-0001" })
        {
            var original = File.ReadAllText(latest);
            File.WriteAllText(latest, original.Replace("\"epoch-0001\"", System.Text.Json.JsonSerializer.Serialize(folder)));
            var (code, _, stderr) = CliProcess.Run(null, "finetune", "--resume", run);
            Assert.Equal(1, code);
            Assert.Contains("latest.json", stderr);
            File.WriteAllText(latest, original);
        }
        // Untouched, the run resumes (the lock of the killed process went with it) and says where it continues.
        var resumed = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.True(resumed.Code == 0, resumed.Stderr);
        Assert.Contains("epochs 2–3 (continuing", resumed.Stderr);
    }

    [Fact]
    public void A_garbage_rng_state_or_optimizer_file_in_a_checkpoint_is_named_not_a_native_abort()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 4, 1);
        var run = Killed(dir, data);
        var latest = Path.Combine(run, "checkpoint", "latest.json");
        var original = File.ReadAllText(latest);
        var state = System.Text.Json.Nodes.JsonNode.Parse(original)!;
        var bytes = Convert.FromBase64String(state["torch_rng_state"]!.GetValue<string>());
        new Random(7).NextBytes(bytes); // right length, garbage content
        state["torch_rng_state"] = Convert.ToBase64String(bytes);
        File.WriteAllText(latest, state.ToJsonString());
        var (code, _, stderr) = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.Equal(1, code);
        Assert.Contains("torch_rng_state", stderr);

        File.WriteAllText(latest, original);
        var optimizer = Path.Combine(run, "checkpoint", "epoch-0001", "optimizer.bin");
        var raw = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, raw[..(raw.Length / 3)]);
        var (code2, _, stderr2) = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.Equal(1, code2);
        Assert.Contains("optimizer.bin", stderr2);
        Assert.DoesNotContain("   at ", stderr2);
    }

    [Fact]
    public void Two_runs_on_one_directory_the_second_is_refused_naming_the_holder_and_sigterm_names_the_run()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"), 8, 1);
        var run = dir.File("run");
        var firstErr = new System.Text.StringBuilder();
        using var first = Start(Args(data, run, "--epochs", "100000"), firstErr); // far longer than the test: it must still run when signalled
        try
        {
            SecondProcessIsRefusedAndSigtermStopsTheFirst(data, run, first, firstErr);
        }
        finally
        {
            // A failed assertion must not leave a run of 100,000 epochs behind, taking a core from everything after it.
            if (!first.HasExited) first.Kill(entireProcessTree: true);
        }
    }

    private static void SecondProcessIsRefusedAndSigtermStopsTheFirst(string data, string run, Process first, System.Text.StringBuilder firstErr)
    {
        var owner = Path.Combine(run, SharpTune.IO.RunLock.OwnerFileName);
        WaitFor(() => File.Exists(Path.Combine(run, "checkpoint", "latest.json")), first);

        var (code, _, stderr) = CliProcess.Run(null, Args(data, run));
        Assert.Equal(2, code);
        Assert.Contains($"pid {first.Id}", stderr);
        var (resumeCode, _, resumeErr) = CliProcess.Run(null, "finetune", "--resume", run);
        Assert.Equal(2, resumeCode);
        Assert.Contains($"pid {first.Id}", resumeErr);
        Assert.True(File.Exists(owner));

        // SIGTERM (handled as Ctrl-C is; a process started in the background of a non-interactive shell inherits SIGINT
        // ignored, so SIGINT cannot be the signal of a test): exit 130, and the message gives the real path to resume.
        using (var kill = Process.Start("kill", ["-TERM", first.Id.ToString()])) kill.WaitForExit();
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(60)), "the run did not stop after SIGTERM");
        first.WaitForExit(); // and the output readers reach the end
        Assert.Equal(130, first.ExitCode);
        Assert.Contains($"--resume {Path.GetFullPath(run)}'", firstErr.ToString());
        Assert.False(File.Exists(owner));
    }

    private static Process Start(string[] args, System.Text.StringBuilder stderr)
    {
        var psi = CliProcess.StartInfo(null, null, args);
        var p = Process.Start(psi)!;
        // Both pipes drained as the run goes, so that a full pipe never blocks it.
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static void WaitFor(Func<bool> condition, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (process.HasExited) Assert.Fail($"the run ended early (exit {process.ExitCode})");
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) Assert.Fail("the run did not reach its first checkpoint in 2 minutes");
            Thread.Sleep(50);
        }
    }
}
