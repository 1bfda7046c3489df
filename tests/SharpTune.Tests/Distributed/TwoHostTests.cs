using System.Diagnostics;
using System.Text.Json;
using SharpTune.Tests.Reliability;
using SharpTune.Tests.Training;
using Xunit;

namespace SharpTune.Tests.Distributed;

/// <summary>
/// The multi-host shape on one machine: two network namespaces joined by a veth pair are two "hosts" with their own
/// addresses and host names; mpirun starts in one and reaches the other through a launch agent that enters the other
/// namespace (instead of ssh). Open MPI sees two nodes and talks TCP over the veth link only. Needs root.
/// </summary>
public class TwoHostTests
{
    [SkippableFact]
    public void Ranks_on_two_hosts_train_like_one_process()
    {
        Skip.If(MpiJob.Missing is not null, MpiJob.Missing);
        Skip.IfNot(Environment.UserName == "root", "network namespaces need root");
        Skip.IfNot(File.Exists("/usr/sbin/ip") || File.Exists("/usr/bin/ip"), "needs iproute2 (ip)");
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        string[] job = ["finetune", "--data", data, "--model", "test-resnet", "--init", "scratch", "--size", "32", "--batch-size", "8",
            "--epochs", "1", "--lr", "0.05", "--momentum", "0.9", "--loss-reduction", "mean", "--threads", "1", "--workers", "1",
            "--seed", "3", "--sync-bn", "true"];
        var single = CliProcess.Run(null, [.. job, "--out", dir.File("one")]);
        Assert.True(single.Code == 0, single.Stderr);

        int id = Environment.ProcessId % 200 + 20;
        string nsA = $"sta{Environment.ProcessId}", nsB = $"stb{Environment.ProcessId}";
        string net = $"10.231.{id}", addrA = $"{net}.1", addrB = $"{net}.2";
        try
        {
            Skip.IfNot(Sh($"ip netns add {nsA} && ip netns add {nsB} && ip link add {nsA}v type veth peer name {nsB}v && " +
                          $"ip link set {nsA}v netns {nsA} && ip link set {nsB}v netns {nsB} && " +
                          $"ip -n {nsA} addr add {addrA}/24 dev {nsA}v && ip -n {nsB} addr add {addrB}/24 dev {nsB}v && " +
                          $"ip -n {nsA} link set {nsA}v up && ip -n {nsB} link set {nsB}v up && ip -n {nsA} link set lo up && ip -n {nsB} link set lo up"),
                "cannot create network namespaces here");
            // The launch agent Open MPI calls instead of ssh: "agent HOST COMMAND…" runs COMMAND in HOST's namespace,
            // under its own host name (a UTS namespace), so Open MPI treats it as another node.
            var agent = dir.File("netns-agent");
            File.WriteAllText(agent, $"#!/bin/sh\nhost=\"$1\"; shift\ncase \"$host\" in {addrB}) ns={nsB} ;; *) echo \"unknown host $host\" >&2; exit 255 ;; esac\n" +
                                     "exec ip netns exec \"$ns\" unshare --uts sh -c \"hostname $ns; $*\"\n");
            Assert.True(Sh($"chmod +x {agent}"));

            var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir.Path };
            foreach (var a in new[] { "netns", "exec", nsA, MpiJob.Mpirun, "--allow-run-as-root", "--oversubscribe", "--host", $"{addrA},{addrB}", "-np", "2",
                         "--mca", "plm_rsh_agent", agent, "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", $"{net}.0/24",
                         "--mca", "oob_tcp_if_include", $"{net}.0/24", "-x", "PATH", "--wdir", dir.Path, MpiJob.Cli }
                         .Concat(job).Concat(["--out", dir.File("two"), "--distributed", "mpi"]))
                psi.ArgumentList.Add(a);
            var two = MpiJob.Start(psi);
            Assert.True(two.Code == 0, two.Stdout + two.Stderr);
            Assert.Contains("data parallel: 2 processes (1 on this host)", two.Stderr);
            var (diff, key) = MpiJob.MaxDifference(Path.Combine(dir.File("one"), "model.safetensors"), Path.Combine(dir.File("two"), "model.safetensors"));
            // The same job as MpiTrainingTests' (one epoch, 3 steps, batch 8 at 32 px): the same argued bound.
            Tolerances.Within(diff, MpiTrainingTests.WeightTolerance(epochs: 1), $"{key}, relative to its scale");
            var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("two"), "summary.json"))).RootElement;
            Assert.Equal(2, summary.GetProperty("processes").GetInt32());
        }
        finally
        {
            Sh($"ip netns del {nsA}; ip netns del {nsB}");
        }
    }

    private static bool Sh(string command)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }
}
