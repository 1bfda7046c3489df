using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpTune.Data;
using SharpTune.IO;

namespace SharpTune.Cli.Commands;

/// <summary>
/// <c>sharptune data inspect DIR</c>: counts, image sizes, bad files and a preview grid of a dataset folder, printed and
/// kept in a report folder (<c>report.json</c>, <c>preview.png</c>) under <c>runs/</c> like every other output, so
/// that inspecting never litters the current directory.
/// </summary>
public static class DataCommand
{
    /// <summary>Builds the <c>data</c> command group.</summary>
    public static Command Build()
    {
        var data = new Command("data", "Look at image datasets laid out as DIR/{train,test|val}/<class>/<image>.");

        var dir = new Argument<string>("dir") { Description = "Dataset folder (holding train/ and test/ or val/)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (machine-readable) instead of text." };
        var output = new Option<string?>("--out") { Description = "Report folder for report.json and preview.png (default: runs/inspect-<dataset name>-<UTC time>)." };
        var preview = new Option<string?>("--preview") { Description = "Where to write the preview grid PNG instead (default: <report folder>/preview.png)." };
        var noPreview = new Option<bool>("--no-preview") { Description = "Do not write a preview grid." };
        var perClass = new Option<int>("--per-class") { Description = "Images per class in the preview grid.", DefaultValueFactory = _ => 8 };
        var previewSplit = new Option<string>("--preview-split") { Description = "Split shown in the preview grid.", DefaultValueFactory = _ => "train" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Read only image headers (fast) instead of decoding every image." };
        var inspect = new Command("inspect", "Print per-split/per-class counts, image-size statistics and bad files, and write them (report.json) " +
                                             "with a preview grid PNG into a report folder. Exit code 0 when the dataset is usable for training, 1 when it is not.")
        {
            dir, json, output, preview, noPreview, perClass, previewSplit, noVerify,
        };
        inspect.SetAction(parsed => Inspect(parsed.GetValue(dir)!, parsed.GetValue(json), parsed.GetValue(output), parsed.GetValue(preview),
            parsed.GetValue(noPreview), parsed.GetValue(perClass), parsed.GetValue(previewSplit)!, !parsed.GetValue(noVerify)));
        data.Subcommands.Add(inspect);
        data.Subcommands.Add(ImportIdxCommand.Build());
        return data;
    }

    private static int Inspect(string dir, bool json, string? output, string? preview, bool noPreview, int perClass, string previewSplit, bool verify)
    {
        if (perClass < 1) throw new UsageException($"--per-class must be at least 1, got {perClass}");
        if (noPreview && preview is not null) throw new UsageException("--preview and --no-preview cannot be combined");
        var (report, splits) = DatasetInspector.InspectWithSplits(dir, verify);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(report.Root));
        var reportDir = Path.GetFullPath(output ?? Path.Combine("runs", $"inspect-{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));

        PreviewInfo? written = null;
        if (!noPreview)
        {
            var split = splits.FirstOrDefault(s => s.SplitName == previewSplit);
            if (split is null && preview is not null)
                throw new UsageException($"--preview-split '{previewSplit}' is not a split of '{report.Root}' (found: {string.Join(", ", splits.Select(s => s.SplitName))})");
            if (split is not null && split.Samples.Count > 0)
            {
                var path = Path.GetFullPath(preview ?? Path.Combine(reportDir, "preview.png"));
                var (w, h, shown) = PreviewGrid.Write(split, path, perClass);
                written = new PreviewInfo(path, split.SplitName, w, h, shown, perClass);
            }
        }

        var reportJson = Path.Combine(reportDir, "report.json");
        var text = JsonSerializer.Serialize(new InspectOutput(report, written), JsonOptions);
        AtomicFile.WriteText(reportJson, text + Environment.NewLine);
        if (json)
        {
            Console.WriteLine(text);
            Console.Error.WriteLine($"report: {reportJson}"); // stdout stays one JSON document
        }
        else
        {
            PrintText(report, written);
            Console.WriteLine($"report: {reportJson}");
        }
        return report.Usable ? 0 : SharpTuneCli.RuntimeError;
    }

    private static void PrintText(DatasetReport report, PreviewInfo? preview)
    {
        Console.WriteLine($"dataset {report.Root} ({(report.Verified ? "every image decoded" : "headers only")})");
        foreach (var split in report.Splits)
        {
            Console.WriteLine();
            Console.WriteLine($"{split.Name}: {split.Images} images, {split.Classes.Count} classes ({split.Directory})");
            int nameWidth = Math.Max(5, split.Classes.Select(c => c.Name.Length).DefaultIfEmpty(5).Max());
            foreach (var c in split.Classes)
                Console.WriteLine($"  {c.Index,3}  {c.Name.PadRight(nameWidth)}  {c.Images,7}{(c.BadFiles > 0 ? $"  ({c.BadFiles} bad)" : "")}");
            if (split.Sizes is { } s)
            {
                Console.WriteLine($"  width  {s.MinWidth}–{s.MaxWidth} (median {s.MedianWidth}, mean {F(s.MeanWidth)})");
                Console.WriteLine($"  height {s.MinHeight}–{s.MaxHeight} (median {s.MedianHeight}, mean {F(s.MeanHeight)})");
                Console.WriteLine($"  {s.DistinctSizes} distinct size(s); most common: " +
                                  string.Join(", ", s.MostCommon.Select(m => $"{m.Width}x{m.Height} ({m.Count})")) +
                                  (s.Rotated > 0 ? $"; {s.Rotated} with EXIF rotation" : ""));
            }
            Console.WriteLine($"  formats: {string.Join(", ", split.Formats.Select(f => $"{f.Key} {f.Value}"))}" +
                              (split.ExtensionMismatches > 0 ? $"; {split.ExtensionMismatches} with an extension that does not match the content" : ""));
            Console.WriteLine($"  bad files: {(split.BadFiles.Count == 0 ? "none" : split.BadFiles.Count.ToString(CultureInfo.InvariantCulture))}");
            foreach (var bad in split.BadFiles) Console.WriteLine($"    {bad.Path}: {bad.Reason}");
            if (split.IgnoredFiles.Count > 0)
            {
                Console.WriteLine($"  ignored files (not images): {split.IgnoredFiles.Count}");
                foreach (var f in split.IgnoredFiles.Take(10)) Console.WriteLine($"    {f}");
                if (split.IgnoredFiles.Count > 10) Console.WriteLine($"    … and {split.IgnoredFiles.Count - 10} more");
            }
            foreach (var note in split.Notes) Console.WriteLine($"  note: {note}");
        }
        Console.WriteLine();
        if (report.Problems.Count == 0) Console.WriteLine("usable for training: yes");
        else
        {
            Console.WriteLine("usable for training: no");
            foreach (var p in report.Problems) Console.WriteLine($"  problem: {p}");
        }
        if (preview is not null)
            Console.WriteLine($"preview: {preview.Path} ({preview.Split}, {preview.ClassesShown} classes × up to {preview.PerClass} images, {preview.Width}x{preview.Height})");
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private sealed record PreviewInfo(string Path, string Split, int Width, int Height, int ClassesShown, int PerClass);

    private sealed record InspectOutput(DatasetReport Dataset, PreviewInfo? Preview)
    {
        public bool Usable => Dataset.Usable;
    }
}
