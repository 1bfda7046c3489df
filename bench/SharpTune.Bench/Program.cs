using System.CommandLine;
using SharpTune.Bench;

// SharpTune benchmarks: one subcommand per benchmark (see Benchmarks.All); each prints a table and writes JSON.
var root = new RootCommand("SharpTune benchmarks (run with -c Release). Each subcommand prints a table and writes JSON results.");
foreach (var command in Benchmarks.All) root.Subcommands.Add(command);
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    return 2;
}
return parsed.Invoke();
