using System.CommandLine;
using SharpTune.Distributed;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary>
/// <c>--distributed mpi</c>: runs a job in every process that <c>mpirun</c> started. Rank 0 shows progress and
/// prints results; a failure in any rank is reported with its rank and ends the whole job at once (MPI_Abort), so no
/// process is left waiting in a collective.
/// </summary>
internal static class DistributedLaunch
{
    /// <summary>The <c>--distributed</c> option.</summary>
    public static Option<string> BuildOption()
    {
        var option = new Option<string>("--distributed")
        {
            Description = "none, or mpi: data-parallel training over the processes of 'mpirun -np N' (Open MPI); --batch-size stays the global batch. " +
                          "As root: mpirun --allow-run-as-root --oversubscribe -np 2 ./sharptune finetune ... --distributed mpi",
            DefaultValueFactory = _ => "none",
        };
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not ("none" or "mpi")) result.AddError($"--distributed: '{value}' is not a backend; use none or mpi");
        });
        return option;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the MPI world; returns its result in rank 0 and null in the others. Options were
    /// checked before (in every rank alike), so what fails here is a rank's own problem.
    /// </summary>
    public static RunResult? Run(Func<ICommunicator, IRunObserver, RunResult> work)
    {
        var world = MpiCommunicator.Initialize();
        var observer = world.Rank == 0 ? new ConsoleObserver() : null;
        try
        {
            var result = observer is null ? work(world, SilentObserver.Instance) : observer.Run(() => work(world, observer));
            world.Dispose();
            return world.Rank == 0 ? result : null;
        }
        catch (Exception e) when (world.Size > 1) // alone, the error takes the usual way out
        {
            int code = SharpTuneCli.Report(e, $"rank {world.Rank} of {world.Size}: ");
            Console.Error.WriteLine($"error: rank {world.Rank} of {world.Size} failed; ending all ranks (exit code {code})");
            world.Abort(code);
            throw; // not reached
        }
    }
}
