using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
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

    /// <summary>The command's name in usage lines and messages.</summary>
    public const string Name = "sharptune";

    /// <summary>Builds the command tree.</summary>
    public static Command BuildRoot()
    {
        // RootCommand takes its name from the executable (SharpTune.Cli) and System.CommandLine 2.0 has no way to set
        // it, so help would say "Usage: SharpTune.Cli ...". A plain Command named sharptune with RootCommand's help and
        // version options parses the same; only the [suggest] completion directive is not offered.
        var root = new Command(Name, "SharpTune: fine-tune pretrained networks in .NET.") { new HelpOption(), new VersionOption() };
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

    /// <summary>
    /// The message for a parse error. For a value that does not convert, System.CommandLine says "Cannot parse argument
    /// 'NaN' for option '--top-k' as expected type 'System.Int32'", which names a .NET type; this says
    /// "--top-k: 'NaN' is not a whole number" instead. Other parse errors keep System.CommandLine's words, after the
    /// option's name when they are about an option and do not name it.
    /// </summary>
    public static string Describe(ParseError error)
    {
        (string? name, Type type, IReadOnlyList<Token> tokens) = error.SymbolResult switch
        {
            OptionResult o => (o.Option.Name, o.Option.ValueType, o.Tokens),
            ArgumentResult a => ($"<{a.Argument.Name}>", a.Argument.ValueType, a.Tokens),
            _ => ((string?)null, typeof(void), Array.Empty<Token>()),
        };
        // Lists and nullables fail on their element type, which is the one the message names.
        var element = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
        if (name is null || element.FullName is not { } typeName || !error.Message.Contains(typeName, StringComparison.Ordinal))
            // Other errors about an option ("Argument 'xyz' not recognized") are put under its name when they omit it.
            return error.SymbolResult is OptionResult && !error.Message.Contains(name!, StringComparison.Ordinal) ? $"{name}: {error.Message}" : error.Message;
        // The message quotes the value that failed; without a match (a translation quoting differently) the first one.
        var value = tokens.Select(t => t.Value).FirstOrDefault(v => error.Message.Contains($"'{v}'", StringComparison.Ordinal))
                    ?? tokens.FirstOrDefault()?.Value ?? "";
        return $"{name}: '{value}' {WhatIsWrong(value, element)}";
    }

    /// <summary>Why <paramref name="value"/> is not a <paramref name="type"/>, in words.</summary>
    private static string WhatIsWrong(string value, Type type)
    {
        if (type.IsEnum) return $"is not one of: {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}";
        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64:
                if (!BigInteger.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)) return "is not a whole number";
                var (min, max) = (type.GetField("MinValue")!.GetValue(null), type.GetField("MaxValue")!.GetValue(null));
                return string.Create(CultureInfo.InvariantCulture, $"is out of range ({min} to {max})");
            case TypeCode.Single or TypeCode.Double or TypeCode.Decimal:
                return "is not a number";
            case TypeCode.Boolean:
                return "is not true or false";
            default:
                return "is not a valid value";
        }
    }

    /// <summary>Runs the CLI with <paramref name="args"/> and returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var root = BuildRoot();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            if (SharpTune.Distributed.MpiCommunicator.LauncherRank != 0) return UsageError; // rank 0 reports it
            foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {Describe(error)}");
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
