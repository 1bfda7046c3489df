using System.CommandLine;
using SharpTune.Cli.Commands;
using SharpTune.Data;
using SharpTune.Weights;

namespace SharpTune.Cli;

/// <summary>
/// Entry point of the <c>sharptune</c> command: parses, dispatches to a command, and turns failures into exit codes
/// (2: usage error, found before any work; 1: runtime error; 130: interrupted).
/// </summary>
public static class SharpTuneCli
{
    /// <summary>Exit code for a bad command line or configuration.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a failure while working.</summary>
    public const int RuntimeError = 1;

    /// <summary>Builds the command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("SharpTune: fine-tune pretrained networks in .NET.");
        root.Subcommands.Add(FinetuneCommand.BuildFinetune());
        root.Subcommands.Add(FinetuneCommand.BuildCompare());
        root.Subcommands.Add(LrFindCommand.Build());
        root.Subcommands.Add(EvaluateCommand.Build());
        root.Subcommands.Add(PredictCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        root.Subcommands.Add(ModelsCommand.Build());
        root.Subcommands.Add(DataCommand.Build());
        return root;
    }

    /// <summary>Runs the CLI with <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            if (SharpTune.Distributed.MpiCommunicator.LauncherRank != 0) return UsageError; // rank 0 reports it
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'sharptune --help' for usage.");
            return UsageError;
        }
        try
        {
            // System.CommandLine's default handler would print "Unhandled exception" and return 1 for every
            // exception; Report maps them to the documented exit codes instead.
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (ExitCodeFor(e) is not null)
        {
            // Under mpirun every rank checks the same options: only rank 0 reports a usage error.
            if (ExitCodeFor(e) == UsageError && SharpTune.Distributed.MpiCommunicator.LauncherRank != 0) return UsageError;
            return Report(e);
        }
        catch (Exception e)
        {
            // A failure SharpTune did not foresee is a bug, but the user still gets one line and exit 1; the stack
            // trace only with SHARPTUNE_DEBUG=1 (for the bug report).
            Console.Error.WriteLine($"error: internal error ({e.GetType().Name}): {e.Message.Split('\n')[0].TrimEnd()}");
            if (Environment.GetEnvironmentVariable("SHARPTUNE_DEBUG") == "1") Console.Error.WriteLine(e);
            else Console.Error.WriteLine("error: this is a bug in SharpTune; run with SHARPTUNE_DEBUG=1 for the details to report");
            return RuntimeError;
        }
    }

    /// <summary>The exit code for a failure SharpTune explains to the user; null for a bug (left to crash with its stack).</summary>
    public static int? ExitCodeFor(Exception e) => e switch
    {
        UsageException or SharpTune.Models.UnknownModelException or SharpTune.Configuration.OptionsException or SharpTune.Data.DataException { IsUsageError: true } => UsageError,
        OperationCanceledException => 130,
        SharpTune.Training.NonFiniteLossException or SharpTune.Data.DataException or SharpTune.Training.RunDirectoryException
            or WeightsException or SharpTune.Distributed.DistributedException => RuntimeError,
        // Disk full, read-only or vanished folders while working: files are written atomically, so nothing
        // half-written is left looking complete; the last checkpoint stays usable.
        IOException or UnauthorizedAccessException => RuntimeError,
        _ => null,
    };

    /// <summary>Prints <paramref name="e"/> for the user (each line prefixed with <paramref name="who"/>) and returns its exit code.</summary>
    public static int Report(Exception e, string who = "")
    {
        int code = ExitCodeFor(e) ?? RuntimeError;
        string message = e switch
        {
            SharpTune.Training.RunInterruptedException => e.Message,
            OperationCanceledException => "interrupted",
            SharpTune.Training.NonFiniteLossException => e.Message + "; the last good checkpoint is kept",
            _ when ExitCodeFor(e) is null => Environment.GetEnvironmentVariable("SHARPTUNE_DEBUG") == "1" ? e.ToString() : $"internal error ({e.GetType().Name}): {e.Message}",
            _ => e.Message,
        };
        foreach (var line in message.Split('\n')) Console.Error.WriteLine($"error: {who}{line.TrimEnd()}");
        return code;
    }
}

/// <summary>A bad option value or combination, detected before any work starts (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
