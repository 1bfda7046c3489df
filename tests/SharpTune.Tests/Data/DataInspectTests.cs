using System.Text.Json;
using SharpTune.Cli;
using SharpTune.Data;
using SkiaSharp;
using Xunit;

namespace SharpTune.Tests.Data;

[Collection("Console")]
public class DataInspectTests
{
    private static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return (SharpTuneCli.Run(args), stdout.ToString(), stderr.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void InspectReportsCountsSizesAndBadFiles()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 3, 20, 10);
        File.WriteAllBytes(dir["train/dog/empty.jpg"], []);
        File.WriteAllText(dir["train/dog/readme.txt"], "x");
        TestImages.WritePng(dir["train/cat/wide.jpg"], 40, 10); // PNG content under a .jpg name
        var report = DatasetInspector.Inspect(dir.Path);
        Assert.True(report.Usable);
        var train = report.Splits.Single(s => s.Name == "train");
        Assert.Equal(7, train.Images);
        Assert.Equal([4, 3], train.Classes.Select(c => c.Images));
        Assert.Equal([0, 1], train.Classes.Select(c => c.BadFiles));
        Assert.Equal(1, train.ExtensionMismatches);
        Assert.Equal(new Dictionary<string, int> { ["jpeg"] = 6, ["png"] = 1 }, train.Formats);
        Assert.Equal((20, 40, 10, 10), (train.Sizes!.MinWidth, train.Sizes.MaxWidth, train.Sizes.MinHeight, train.Sizes.MaxHeight));
        Assert.Equal(new SizeCount(20, 10, 6), train.Sizes.MostCommon[0]);
        Assert.Single(train.IgnoredFiles);
    }

    [Fact]
    public void CliInspectWritesJsonAndAPreviewPng()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir["ds"], ["train", "val"], ["alpha", "beta", "gamma"], 5, 24, 18);
        var preview = dir["out/preview.png"];
        var (code, output, err) = RunCli("data", "inspect", dir["ds"], "--json", "--preview", preview, "--per-class", "4", "--out", dir["report"]);
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.True(root.GetProperty("usable").GetBoolean());
        var splits = root.GetProperty("dataset").GetProperty("splits");
        Assert.Equal(["train", "val"], splits.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(15, splits[0].GetProperty("images").GetInt32());
        Assert.Equal(preview, root.GetProperty("preview").GetProperty("path").GetString());

        using var png = SKBitmap.Decode(preview);
        Assert.NotNull(png);
        Assert.Equal(root.GetProperty("preview").GetProperty("width").GetInt32(), png.Width);
        Assert.True(png.Height > 3 * 96);
    }

    [Fact]
    public void CliInspectTextAndExitCodes()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["x", "y"], 2);
        var (code, output, _) = RunCli("data", "inspect", dir.Path, "--no-preview", "--out", dir["report"]);
        Assert.Equal(0, code);
        Assert.Contains("train: 4 images, 2 classes", output);
        Assert.Contains("usable for training: yes", output);

        Directory.Delete(dir["test/y"], true);
        (code, output, _) = RunCli("data", "inspect", dir.Path, "--no-preview", "--out", dir["report"]);
        Assert.Equal(1, code);
        Assert.Contains("only in train: [y]", output);

        (code, _, var err) = RunCli("data", "inspect", dir["missing"], "--no-preview");
        Assert.Equal(1, code);
        Assert.StartsWith("error: data folder", err);

        (code, _, err) = RunCli("data", "inspect", dir.Path, "--per-class", "0");
        Assert.Equal(2, code);
        Assert.Contains("--per-class", err);
    }
}
