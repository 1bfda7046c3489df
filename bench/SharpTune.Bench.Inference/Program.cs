// Inference throughput of SharpTune's two backends on the same images: the run directory (TorchSharp) and its ONNX
// export (ONNX Runtime), at batch 1 and 32, plus their top-1 agreement. See bench/inference and bench/README-inference.md.
using System.Diagnostics;
using System.Globalization;
using SharpTune.Data;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Onnx;

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: SharpTune.Bench.Inference --run RUN --data IMAGE_DIR [--onnx FILE] [--threads N] [--repeats N] [--batches 1,32] [--spin true|false]");
    return 2;
}
TorchSharp.torch.set_num_threads(options.Threads);
var images = Directory.GetFiles(options.Data, "*", SearchOption.AllDirectories)
    .Where(f => ImageFormats.FormatOfExtension(f) is not null).Order(StringComparer.Ordinal).ToList();
if (images.Count == 0)
{
    Console.Error.WriteLine($"error: {options.Data}: no images");
    return 1;
}

using var torch = SharpTuneModel.Load(options.Run);
var onnxFile = options.Onnx;
string? tempDir = null;
if (onnxFile is null)
{
    tempDir = Directory.CreateTempSubdirectory("sharptune-bench-").FullName;
    onnxFile = RunExporter.Export(torch, ExportFormat.Onnx, Path.Combine(tempDir, "model.onnx")).ModelFile;
}
try
{
    using var onnx = OnnxClassifier.Load(onnxFile, new OnnxClassifierOptions(options.Threads, options.Spin));
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine($"# SharpTune inference benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
    Console.WriteLine($"machine: {Machine()}; load average before: {LoadAverage()}");
    Console.WriteLine($"threads: {options.Threads} (libtorch and ONNX Runtime intra-op); spin-waiting: {(options.Spin ? "on" : "off")} " +
                      $"(ONNX Runtime allow_spinning; libtorch OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset: active)"})");
    Console.WriteLine($"model: {options.Run} ({torch.Info.Model}, {torch.Classes.Count} classes, input {torch.Preprocessing.CropSize} px, resize {torch.Preprocessing.ResizeSize}); onnx: {onnxFile}");
    Console.WriteLine($"images: {images.Count} from {options.Data}; best of {options.Repeats} passes over all images after a warm-up");
    Console.WriteLine();

    // Top-1 agreement over every image.
    torch.MaxBatchSize = onnx.MaxBatchSize = 32;
    var a = torch.PredictBatch(images, topK: 1);
    var b = onnx.PredictBatch(images, topK: 1);
    int agree = 0;
    double maxDiff = 0;
    for (int i = 0; i < images.Count; i++)
    {
        if (a[i][0].Index == b[i][0].Index) agree++;
        maxDiff = Math.Max(maxDiff, Math.Abs(a[i][0].Probability - b[i][0].Probability));
    }
    Console.WriteLine($"top1_agreement={agree}/{images.Count} max_top1_probability_diff={maxDiff.ToString("E2", inv)}");
    Console.WriteLine();

    var decoded = images.Select(p => ImageDecoder.Decode(p)).ToList();
    Console.WriteLine("| backend | batch | from files (decode + preprocess + forward), images/s | from decoded images (preprocess + forward), images/s |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var (name, model) in new (string, ImageClassifier)[] { ("TorchSharp (run directory)", torch), ("ONNX Runtime (exported .onnx)", onnx) })
    {
        foreach (var batch in options.Batches)
        {
            model.MaxBatchSize = batch;
            double files = Measure(() => model.PredictBatch(images, 1), images.Count, options.Repeats);
            double memory = Measure(() => model.PredictBatch(decoded, 1), images.Count, options.Repeats);
            Console.WriteLine(string.Create(inv, $"| {name} | {batch} | {files:0.0} | {memory:0.0} |"));
        }
    }
    return 0;
}
finally
{
    if (tempDir is not null) Directory.Delete(tempDir, recursive: true);
}

static double Measure(Action pass, int images, int repeats)
{
    pass(); // warm-up: first-call allocations, ONNX Runtime's arena, libtorch's kernels
    double best = 0;
    for (int r = 0; r < repeats; r++)
    {
        var watch = Stopwatch.StartNew();
        pass();
        best = Math.Max(best, images / watch.Elapsed.TotalSeconds);
    }
    return best;
}

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "unknown"; }
}

static string Machine()
{
    string cpu = "unknown CPU";
    try
    {
        cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
    }
    catch (IOException) { }
    return $"{cpu}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}

internal sealed record Options(string Run, string Data, string? Onnx, int Threads, int Repeats, IReadOnlyList<int> Batches, bool Spin)
{
    public static Options? Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            map[args[i]] = args[i + 1];
        }
        if (args.Length % 2 != 0 || !map.TryGetValue("--run", out var run) || !map.TryGetValue("--data", out var data)) return null;
        return new Options(run, data, map.GetValueOrDefault("--onnx"),
            int.Parse(map.GetValueOrDefault("--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture),
            int.Parse(map.GetValueOrDefault("--repeats", "3"), CultureInfo.InvariantCulture),
            map.GetValueOrDefault("--batches", "1,32").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList(),
            map.GetValueOrDefault("--spin", "false") == "true");
    }
}
