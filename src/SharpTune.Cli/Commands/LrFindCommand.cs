using System.CommandLine;
using System.Globalization;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary><c>sharptune lr-find --data DIR</c>: LR range test; prints <c>suggested_lr=&lt;n&gt;</c> last.</summary>
public static class LrFindCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Build()
    {
        var command = new Command("lr-find",
            "LR range test (fastai lr_find): train briefly while the learning rate grows exponentially, plot loss vs lr, suggest a learning rate. Saves no model.");
        var binder = new RunOptionBinder().AddTo(command);
        var output = new Option<string>("--out") { Description = "Folder for lr-find.png and lr-find.json (default: runs/lr-find-<UTC time>)." };
        var steps = new Option<int>("--steps") { Description = "Steps of the sweep.", DefaultValueFactory = _ => 100 };
        var start = new Option<double>("--start-lr") { Description = "First learning rate.", DefaultValueFactory = _ => 1e-7 };
        var end = new Option<double>("--end-lr") { Description = "Last learning rate.", DefaultValueFactory = _ => 10 };
        command.Options.Add(output);
        command.Options.Add(steps);
        command.Options.Add(start);
        command.Options.Add(end);
        command.SetAction(parsed =>
        {
            var options = binder.Resolve(parsed);
            var outDir = parsed.GetValue(output) ?? Path.Combine("runs", $"lr-find-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var observer = new ConsoleObserver();
            var result = LrFindJob.Run(options, outDir, parsed.GetValue(steps), parsed.GetValue(start), parsed.GetValue(end), observer);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"plot: {Path.GetFullPath(Path.Combine(outDir, "lr-find.png"))}");
            Console.WriteLine(string.Create(inv, $"valley={result.Valley:G3} steepest={result.Steepest:G3} minimum={result.Minimum:G3} steps={result.LearningRates.Count}"));
            Console.WriteLine(string.Create(inv, $"suggested_lr={result.Valley:G3}"));
            return 0;
        });
        return command;
    }
}
