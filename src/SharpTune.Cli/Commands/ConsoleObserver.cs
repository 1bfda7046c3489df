using System.Globalization;
using SharpTune.Training;
using Spectre.Console;

namespace SharpTune.Cli.Commands;

/// <summary>
/// Shows a run's progress: a live progress bar per epoch on a terminal (Spectre.Console), one plain line per epoch
/// otherwise (pipes, CI logs). Messages go to stderr, so stdout carries only results.
/// </summary>
public sealed class ConsoleObserver : IRunObserver
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly bool _interactive = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private readonly IAnsiConsole _err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _epochs;

    /// <summary>Runs <paramref name="work"/> with the progress display active.</summary>
    public T Run<T>(Func<T> work)
    {
        if (!_interactive) return work();
        T result = default!;
        _err.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _context = ctx;
                result = work();
            });
        return result;
    }

    /// <inheritdoc />
    public void Info(string message)
    {
        if (_interactive) _err.MarkupLine(Markup.Escape(message));
        else Console.Error.WriteLine(message);
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
        if (_interactive) _err.MarkupLine("[yellow]warning:[/] " + Markup.Escape(message));
        else Console.Error.WriteLine("warning: " + message);
    }

    /// <inheritdoc />
    public void BeforeFit(int startEpoch, int epochs) => _epochs = epochs;

    /// <inheritdoc />
    public void BeforeEpoch(int epoch)
    {
        if (_context is null) return;
        _task = _context.AddTask($"epoch {epoch}/{_epochs}");
    }

    /// <inheritdoc />
    public void AfterStep(StepProgress p)
    {
        if (_task is null) return;
        _task.MaxValue = p.StepsPerEpoch + 1; // the last unit is evaluation
        _task.Value = p.Step;
        _task.Description = $"epoch {p.Epoch}/{_epochs} loss {p.Loss.ToString("0.000", Inv)}";
    }

    /// <inheritdoc />
    public void BeforeEvaluate(int epoch)
    {
        if (_task is not null) _task.Description = $"epoch {epoch}/{_epochs} evaluating";
    }

    /// <inheritdoc />
    public void AfterEpoch(EpochMetrics m)
    {
        if (_task is not null)
        {
            _task.Value = _task.MaxValue;
            _task.Description = $"epoch {m.Epoch}/{_epochs} test acc {m.TestAcc.ToString("0.000", Inv)}";
            _task.StopTask();
        }
        Console.Error.WriteLine(string.Create(Inv,
            $"epoch {m.Epoch}/{_epochs}: train loss {m.TrainLoss:0.0000} acc {m.TrainAcc:0.000} | test loss {m.TestLoss:0.0000} acc {m.TestAcc:0.000} f1 {m.F1Macro:0.000} | " +
            $"{m.ExamplesPerSec:0.0} examples/s, {m.EpochSeconds:0.0} s training (data wait {m.DataWaitSeconds:0.00} s)"));
    }
}
