using System.Runtime.InteropServices;
using System.CommandLine;
using System.Globalization;
using SharpTune.Configuration;
using SharpTune.Training;
using Spectre.Console;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune finetune</c> and <c>sharptune compare</c>.</summary>
public static class FinetuneCommand
{
    private const string LossNote =
        " Loss convention: --loss-reduction sum (default) sums per-example losses before backward, as d2l does, so lr 5e-5 at batch 128 is a step of ~6.4e-3 on a mean loss.";

    /// <summary>Builds <c>finetune</c>.</summary>
    public static Command BuildFinetune()
    {
        var command = new Command("finetune",
            "Fine-tune a pretrained model on DIR/{train,test|val}/<class>/<image> (d2l recipe by default; without --data, the embedded Fashion-MNIST subset), " +
            "or a text model (--model minilm: Sun et al.'s BERT recipe) on DIR/{train,test|val}/<class>/*.txt or DIR/{train,test}.{csv,tsv,jsonl} (without --data, the embedded SpamAssassin subset)." + LossNote);
        var binder = new RunOptionBinder().AddTo(command);
        var output = OutOption();
        var resume = new Option<string>("--resume") { Description = "Continue the run in this directory from its last complete epoch (its saved configuration is used)." };
        var distributed = DistributedLaunch.BuildOption();
        command.Options.Add(output);
        command.Options.Add(resume);
        command.Options.Add(distributed);
        command.SetAction(parsed =>
        {
            var resumePath = parsed.GetValue(resume);
            using var cancel = CancelOnCtrlC();
            Func<Distributed.ICommunicator, IRunObserver, RunResult> job;
            if (resumePath is not null)
            {
                var given = binder.GivenOnCommandLine(parsed).Concat(parsed.GetValue(binder.Config) is null ? [] : ["config"]).ToList();
                if (given.Count > 0 || parsed.GetValue(output) is not null)
                    throw new OptionsException($"--resume: uses the run's saved configuration; remove --{string.Join(", --", given.DefaultIfEmpty("out"))}");
                job = (group, observer) => FineTuneJob.Resume(resumePath, observer, cancel.Token, group);
            }
            else
            {
                var options = binder.Resolve(parsed);
                OptionsValidator.Validate(options); // in every rank alike, before any process waits for another
                var outPath = parsed.GetValue(output) ?? DefaultRunPath("finetune");
                job = (group, observer) => FineTuneJob.Run(options, outPath, observer, cancel.Token, group);
            }
            RunResult? result;
            if (parsed.GetValue(distributed) == "mpi")
            {
                result = DistributedLaunch.Run(job);
                if (result is null) return 0; // ranks other than 0 print nothing
            }
            else
            {
                var observer = new ConsoleObserver();
                result = observer.Run(() => job(Distributed.SingleProcess.Instance, observer));
            }
            PrintSummaries([("finetune", result.Summary)]);
            Console.WriteLine($"run: {result.Directory.Path}");
            Console.WriteLine($"summary: {result.Directory.SummaryFile}");
            return 0;
        });
        return command;
    }

    /// <summary>Builds <c>compare</c>.</summary>
    public static Command BuildCompare()
    {
        var command = new Command("compare",
            "Fine-tune and train from scratch (random init, one parameter group, lr 5e-4; text: 1e-4) with the same seed and data; writes compare.json and compare.png." + LossNote);
        var binder = new RunOptionBinder().AddTo(command);
        var output = OutOption();
        command.Options.Add(output);
        command.SetAction(parsed =>
        {
            var options = binder.Resolve(parsed);
            var outPath = parsed.GetValue(output) ?? DefaultRunPath("compare");
            var observer = new ConsoleObserver();
            using var cancel = CancelOnCtrlC();
            var started = DateTime.UtcNow;
            var result = observer.Run(() => CompareJob.Run(options, outPath, observer, cancel.Token));
            PrintSummaries([("finetune", result.Finetune), ("scratch", result.Scratch)]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"finetune test_acc={result.Finetune.Final.TestAcc:0.000} scratch test_acc={result.Scratch.Final.TestAcc:0.000} " +
                $"finetune f1_macro={result.Finetune.Final.F1Macro:0.000} scratch f1_macro={result.Scratch.Final.F1Macro:0.000} " +
                $"wall={(DateTime.UtcNow - started).TotalSeconds:0} s"));
            Console.WriteLine($"compare: {Path.GetFullPath(Path.Combine(outPath, "compare.json"))}");
            return 0;
        });
        return command;
    }

    private static Option<string> OutOption() =>
        new("--out") { Description = "Run directory to create (default: runs/<command>-<UTC time>)." };

    private static string DefaultRunPath(string command) =>
        Path.Combine("runs", $"{command}-{DateTime.UtcNow:yyyyMMdd-HHmmss}");

    // Held for the process's lifetime: a collected registration would stop handling its signal.
    private static readonly List<PosixSignalRegistration> SignalHandlers = [];

    /// <summary>
    /// Ctrl-C (SIGINT) and SIGTERM (what `kill`, systemd and container runtimes send) stop the run after the current
    /// step with exit 130 and the last complete epoch's checkpoint; a second signal ends the process at once.
    /// </summary>
    private static CancellationTokenSource CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            SignalHandlers.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (cts.IsCancellationRequested) return; // a second signal: the default action (the process ends)
                context.Cancel = true;
                Console.Error.WriteLine("interrupt: stopping after this step; the last complete epoch's checkpoint is kept");
                cts.Cancel();
            }));
        }
        return cts;
    }

    private static void PrintSummaries(IReadOnlyList<(string Name, RunSummary Summary)> runs)
    {
        var table = new Table().AddColumn("run").AddColumn("epochs").AddColumn("train loss").AddColumn("train acc")
            .AddColumn("test loss").AddColumn("test acc").AddColumn("test f1 macro").AddColumn("best test acc").AddColumn("examples/s").AddColumn("wall s");
        foreach (var (name, s) in runs.Select(r => (r.Name == "finetune" ? r.Summary.Mode : r.Name, r.Summary)))
        {
            var f = s.Final;
            table.AddRow(name, s.Epochs.ToString(CultureInfo.InvariantCulture), F(f.TrainLoss, "0.0000"), F(f.TrainAcc, "0.000"),
                F(f.TestLoss, "0.0000"), F(f.TestAcc, "0.000"), F(f.F1Macro, "0.000"), F(s.BestTestAcc, "0.000"), F(f.ExamplesPerSec, "0.0"), F(s.WallSeconds, "0"));
        }
        if (Console.IsOutputRedirected) table.Border(TableBorder.Ascii);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        });
        if (Console.IsOutputRedirected) console.Profile.Width = 160; // no terminal to wrap for: keep rows on one line
        console.Write(table);
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
