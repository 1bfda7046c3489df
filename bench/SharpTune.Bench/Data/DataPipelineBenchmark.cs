using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SharpTune.Data;
using SharpTune.Models;

namespace SharpTune.Bench.Data;

/// <summary>
/// <c>data</c>: decode + augment throughput of SharpTune's <see cref="ImageLoader"/> (d2l training transforms:
/// RandomResizedCrop, flip, ToTensor, the zoo ResNet-18's normalisation; batches as tensors, no model) with 1 and 2
/// worker threads, beside the PyTorch peer's DataLoader (<c>bench_loader.py</c>, same transforms) on the same data in
/// the same run. Prints a table and writes JSON.
/// </summary>
public static partial class DataPipelineBenchmark
{
    public static Command Build()
    {
        var data = new Option<string[]>("--data") { Description = "Dataset folder(s) holding <split>/<class>/<image> (repeat for several).", Required = true, AllowMultipleArgumentsPerToken = true };
        var split = new Option<string>("--split") { Description = "Split to read.", DefaultValueFactory = _ => "train" };
        var size = new Option<int>("--size") { Description = "Output size of the random resized crop.", DefaultValueFactory = _ => 224 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 128 };
        var workers = new Option<int[]>("--workers") { Description = "Worker thread counts to measure (the peer runs 0 for 1: its main process).", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var passes = new Option<int>("--passes") { Description = "Epochs per configuration; the median is reported.", DefaultValueFactory = _ => 3 };
        var cacheMb = new Option<int>("--cache-mb") { Description = "Also measure with a decoded-image cache of this many MiB (0: no).", DefaultValueFactory = _ => 0 };
        var peer = new Option<string?>("--peer") { Description = "Path of the peer's bench_loader.py (omit to skip the peer)." };
        var python = new Option<string>("--python") { Description = "Python with torch + torchvision.", DefaultValueFactory = _ => "/usr/bin/python3" };
        var output = new Option<string>("--out") { Description = "Folder for the JSON result.", DefaultValueFactory = _ => "bench/results" };
        var command = new Command("data", "Data pipeline throughput (decode + augment, images/s) vs the PyTorch peer's DataLoader.")
        {
            data, split, size, batch, workers, passes, cacheMb, peer, python, output,
        };
        command.SetAction(p => Run(new Settings(p.GetValue(data)!, p.GetValue(split)!, p.GetValue(size), p.GetValue(batch), p.GetValue(workers)!,
            p.GetValue(passes), p.GetValue(cacheMb), p.GetValue(peer), p.GetValue(python)!, p.GetValue(output)!)));
        return command;
    }

    private sealed record Settings(string[] Data, string Split, int Size, int BatchSize, int[] Workers, int Passes, int CacheMb,
                                   string? Peer, string Python, string Out);

    private sealed record Row(string Dataset, int Images, string ImageSize, double MeanFileKb, string Implementation, string Config,
                              int Threads, double MedianImagesPerSecond, IReadOnlyList<double> Passes, double CpuMsPerImage);

    /// <summary>Wall-clock rate of each pass, and CPU milliseconds per image over all passes (all threads/processes).</summary>
    private sealed record Measurement(List<double> Rates, double CpuMsPerImage);

    private static int Run(Settings s)
    {
        if (s.Passes < 1 || s.Size < 8 || s.BatchSize < 1) throw new ArgumentException("bad --passes/--size/--batch-size");
        var rows = new List<Row>();
        var started = DateTime.UtcNow;
        foreach (var root in s.Data)
        {
            var split = ImageFolder.OpenSplit(Path.Combine(root, s.Split));
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
            var sizes = split.Headers.GroupBy(h => $"{h.Width}x{h.Height}").OrderByDescending(g => g.Count()).First().Key;
            double kb = split.Samples.Average(x => new FileInfo(x.Path).Length) / 1024.0;
            Console.WriteLine($"== {name}: {split.Samples.Count} images ({s.Split}), mostly {sizes}, {kb:0.#} KB per file; output {s.Size}x{s.Size}, batch {s.BatchSize}");
            Row Make(string impl, string config, int threads, Measurement m) =>
                new(name, split.Samples.Count, sizes, Math.Round(kb, 1), impl, config, threads, Median(m.Rates),
                    m.Rates.Select(r => Math.Round(r, 1)).ToList(), Math.Round(m.CpuMsPerImage, 3));

            foreach (var w in s.Workers)
                rows.Add(Make("SharpTune", $"workers={w}", Math.Max(1, w), MeasureSharpTune(split, s, w, cacheBytes: 0, skipFirst: false)));
            if (s.CacheMb > 0)
                foreach (var w in s.Workers)
                {
                    // Pass 1 fills the cache; the later passes show what the cache buys.
                    rows.Add(Make("SharpTune", $"workers={w}, cache {s.CacheMb} MiB (passes 2+)", Math.Max(1, w),
                        MeasureSharpTune(split, s, w, (long)s.CacheMb << 20, skipFirst: s.Passes > 1)));
                }
            if (s.Peer is not null)
            {
                var importCpu = PeerImportCpu(s);
                foreach (var w in s.Workers.Select(w => w <= 1 ? 0 : w).Distinct())
                    if (RunPeer(root, s, w, importCpu, split.Samples.Count) is { } m)
                        rows.Add(Make("PyTorch peer", w == 0 ? "num_workers=0 (main process)" : $"num_workers={w}", Math.Max(1, w), m));
            }
        }

        PrintTable(rows);
        var path = BenchResults.Write(s.Out, "data-pipeline", new
        {
            Benchmark = "data-pipeline",
            Started = started,
            Command = Environment.GetCommandLineArgs(),
            Machine = BenchResults.Machine(),
            Settings = s,
            Transforms = "RandomResizedCrop(size) + RandomHorizontalFlip(0.5) + ToTensor + Normalize(CNTK BGR 0-255 minus means), batches as tensors",
            Rows = rows,
        });
        Console.WriteLine($"results: {path}");
        return 0;
    }

    private static Measurement MeasureSharpTune(ImageFolder split, Settings s, int workers, long cacheBytes, bool skipFirst)
    {
        var transforms = ImageTransforms.TrainD2l(s.Size, Normalization.CntkBgr255);
        using var loader = new ImageLoader(split.Samples, transforms,
            new LoaderOptions(s.BatchSize, Shuffle: true, Seed: 0, Workers: workers, Prefetch: 4, CacheBytes: cacheBytes));
        var rates = new List<double>();
        var process = Process.GetCurrentProcess();
        double cpuMs = 0;
        long images = 0;
        for (int pass = 0; pass < s.Passes; pass++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            int n = 0;
            long[]? shape = null;
            foreach (var batch in loader.Epoch(pass))
            {
                n += batch.Count;
                shape ??= batch.Images.shape;
                batch.Dispose();
            }
            double seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            double passCpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            if (!(skipFirst && pass == 0))
            {
                rates.Add(n / seconds);
                cpuMs += passCpu;
                images += n;
            }
            Console.WriteLine($"  SharpTune workers={workers}{(cacheBytes > 0 ? $" cache={cacheBytes >> 20}MiB" : "")} pass {pass + 1}: " +
                              $"{n} images in {seconds:0.00}s = {n / seconds:0} images/sec, CPU {passCpu / n:0.00} ms/image " +
                              $"(batch [{string.Join(",", shape ?? [])}], waited {loader.LastEpochWaitTime.TotalSeconds:0.00}s" +
                              $"{(cacheBytes > 0 ? $", cached {loader.CachedImages}" : "")})");
        }
        return new Measurement(rates, images > 0 ? cpuMs / images : double.NaN);
    }

    /// <summary>CPU time of starting Python and importing torch + torchvision (subtracted from the peer's CPU time).</summary>
    private static TimeSpan PeerImportCpu(Settings s)
    {
        var best = TimeSpan.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            var before = ChildCpu.Total();
            using var p = Process.Start(new ProcessStartInfo(s.Python, ["-c", "import torch, torchvision"]) { UseShellExecute = false })!;
            p.WaitForExit();
            var cost = ChildCpu.Total() - before;
            if (cost < best) best = cost;
        }
        Console.WriteLine($"  peer: python + import torch, torchvision: {best.TotalSeconds:0.00} s CPU (subtracted)");
        return best;
    }

    /// <summary>Runs the peer for one worker count in its own process; CPU time includes its worker processes.</summary>
    private static Measurement? RunPeer(string root, Settings s, int workers, TimeSpan importCpu, int imagesPerPass)
    {
        var script = Path.GetFullPath(s.Peer!);
        var start = new ProcessStartInfo(s.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        foreach (var a in new[] { script, "--data", Path.GetFullPath(root), "--size", s.Size.ToString(CultureInfo.InvariantCulture),
                     "--batch-size", s.BatchSize.ToString(CultureInfo.InvariantCulture), "--passes", s.Passes.ToString(CultureInfo.InvariantCulture),
                     "--split", s.Split, "--workers", workers.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        Console.WriteLine($"  peer: {s.Python} {string.Join(' ', start.ArgumentList)}");
        var cpuBefore = ChildCpu.Total();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {s.Python}");
        var stderr = process.StandardError.ReadToEndAsync();
        var rates = new List<double>();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            Console.WriteLine($"  peer: {line}");
            var m = PassLine().Match(line);
            if (m.Success)
                rates.Add(double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) / double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        }
        process.WaitForExit();
        var cpu = ChildCpu.Total() - cpuBefore - importCpu;
        if (process.ExitCode != 0 || rates.Count == 0)
        {
            Console.WriteLine($"  peer failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            return null;
        }
        double cpuPerImage = cpu.TotalMilliseconds / ((double)imagesPerPass * rates.Count);
        Console.WriteLine($"  peer: CPU {cpuPerImage:0.00} ms/image (process and workers, all passes, start-up and imports subtracted)");
        return new Measurement(rates, cpuPerImage);
    }

    // "  workers=0 pass 1: 1400 images in 1.13s = 1240 images/sec (...)": recompute the rate from count and seconds.
    [GeneratedRegex(@"workers=(\d+) pass \d+: (\d+) images in ([0-9.]+)s")]
    private static partial Regex PassLine();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[sorted.Count / 2], 1);
    }

    private static void PrintTable(List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{"dataset",-16} {"images",6} {"size",-9} {"implementation",-13} {"configuration",-38} {"threads",7} {"images/s",9} {"CPU ms/img",10}");
        foreach (var r in rows)
            Console.WriteLine($"{r.Dataset,-16} {r.Images,6} {r.ImageSize,-9} {r.Implementation,-13} {r.Config,-38} {r.Threads,7} {r.MedianImagesPerSecond,9:0} {r.CpuMsPerImage,10:0.00}");
        Console.WriteLine("images/s: median over the passes (wall clock) of decode + RandomResizedCrop + flip + ToTensor + Normalize into");
        Console.WriteLine("batch tensors. CPU ms/img: CPU time of all threads/processes per image (less sensitive to other load).");
    }
}
