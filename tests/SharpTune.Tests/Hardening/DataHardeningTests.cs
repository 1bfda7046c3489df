using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using SharpTune.Cli;
using SharpTune.Data;
using SharpTune.Tests.Data;
using SharpTune.Text;

namespace SharpTune.Tests.Hardening;

/// <summary>
/// Data-layer defects: symbolic links that mislabel or leak images, an unreadable class folder reported as empty,
/// one-class datasets accepted, and <c>data inspect</c> writing into the current directory.
/// </summary>
public class DataHardeningTests
{
    // ---- symbolic links ------------------------------------------------------------------------------------------

    [Fact]
    public void LinkFromAClassFolderToItsParentIsSkippedNotMislabelled()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["hotdog", "not-hotdog"], 2);
        Directory.CreateSymbolicLink(dir["train/hotdog/up"], ".."); // up -> the train split
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal([2, 2], data.Train.ClassCounts);
        Assert.DoesNotContain(data.Train.Samples, s => s.Label == 0 && Path.GetFileName(s.Path).StartsWith("not-hotdog", StringComparison.Ordinal));
        var skipped = Assert.Single(data.Train.SkippedLinks);
        Assert.StartsWith(dir["train/hotdog/up"] + " -> ", skipped);
        Assert.Contains("ancestor", skipped);
        Assert.Contains(data.Train.Notes, n => n.Contains(skipped));
        Assert.Empty(data.Test.SkippedLinks);
    }

    [Fact]
    public void LinksToAnotherClassOrToAnotherSplitAreSkippedWithTheirReason()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 2);
        Directory.CreateSymbolicLink(dir["train/a/other"], "../b");
        Directory.CreateSymbolicLink(dir["train/a/leak"], "../../test/a");
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal([2, 2], data.Train.ClassCounts);
        Assert.Equal([2, 2], data.Test.ClassCounts);
        Assert.Equal(2, data.Train.SkippedLinks.Count);
        Assert.Contains(data.Train.SkippedLinks, s => s.StartsWith(dir["train/a/other"] + " -> ", StringComparison.Ordinal) && s.Contains("another class ('b')"));
        Assert.Contains(data.Train.SkippedLinks, s => s.StartsWith(dir["train/a/leak"] + " -> ", StringComparison.Ordinal) && s.Contains("the 'test' split"));
        Assert.Equal(2, data.SkippedLinks.Count);
    }

    [Fact]
    public void LinkToAFolderOutsideTheDatasetIsFollowedButLinksFromThereBackInAreNot()
    {
        using var dir = new TempDir();
        using var outside = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 2);
        TestImages.WriteJpeg(outside["extra/x.jpg"]);
        Directory.CreateSymbolicLink(outside["extra/back"], dir["test/a"]); // would leak test images into training
        Directory.CreateSymbolicLink(dir["train/a/ext"], outside["extra"]);
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal([3, 2], data.Train.ClassCounts); // followed, as torchvision does
        Assert.Contains(data.Train.Samples, s => s.Path == dir["train/a/ext/x.jpg"]);
        var skipped = Assert.Single(data.Train.SkippedLinks);
        Assert.StartsWith(dir["train/a/ext/back"] + " -> ", skipped);
        Assert.Contains("the 'test' split", skipped);
    }

    [Fact]
    public async Task NestedLinkLoopIsScannedOnce()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["c", "d"], 1);
        TestImages.WriteJpeg(dir["train/c/a/pic.jpg"]);
        Directory.CreateSymbolicLink(dir["train/c/a/b"], "../a"); // a/b -> ../a
        var data = await Task.Run(() => ImageFolder.Open(dir.Path)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([2, 1], data.Train.ClassCounts);
        var skipped = Assert.Single(data.Train.SkippedLinks);
        Assert.StartsWith(dir["train/c/a/b"] + " -> ", skipped);
        Assert.Contains("already scanned", skipped);
    }

    [Fact]
    public void SameFolderReachedThroughTwoDifferentPathsIsScannedOnce()
    {
        // Two links whose targets differ as paths (one goes through a linked parent) but are one directory: the
        // device+inode identity sees it, a path comparison does not and would load its images twice.
        using var dir = new TempDir();
        using var outside = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 2);
        TestImages.WriteJpeg(outside["real/x.jpg"]);
        Directory.CreateSymbolicLink(outside["alias"], outside.Path);
        Directory.CreateSymbolicLink(dir["train/a/one"], outside["real"]);
        Directory.CreateSymbolicLink(dir["train/a/two"], outside["alias/real"]);
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal([3, 2], data.Train.ClassCounts);
        Assert.Contains("already scanned", Assert.Single(data.Train.SkippedLinks));
    }

    [SkippableFact]
    public void DirectoryIdentityIsTheDeviceAndInodeThatStatReports()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            "the device+inode identity is read with libc stat on Linux x86_64 only (elsewhere the real path is used)");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["real"]);
        Directory.CreateSymbolicLink(dir["link"], dir["real"]);
        Assert.True(DirectoryIdentity.TryStat(dir["link"], out ulong device, out ulong inode));
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-L", "-c", "%d %i", dir["link"]]) { RedirectStandardOutput = true })!;
        var expected = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(expected, $"{device} {inode}");
        Assert.Equal(DirectoryIdentity.Of(dir["real"]), DirectoryIdentity.Of(dir["link"]));
        Assert.NotEqual(DirectoryIdentity.Of(dir["real"]), DirectoryIdentity.Of(dir.Path));
    }

    // ---- unreadable class folder ---------------------------------------------------------------------------------

    [SkippableFact]
    public void UnreadableClassFolderSaysPermissionDenied()
    {
        if (OperatingSystem.IsWindows() || TestImages.IgnoresFilePermissions)
            throw new SkipException("running as root (or on Windows): chmod 000 does not stop this process from listing a folder; " +
                                    "UnreadableClassFolderIsReportedThroughTheListingSeam covers the same code path");
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 1);
        File.SetUnixFileMode(dir["train/b"], UnixFileMode.None);
        try
        {
            var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
            Assert.Contains("permission denied", e.Message);
            Assert.Contains(dir["train/b"], e.Message);
            Assert.DoesNotContain("has no image files", e.Message);
        }
        finally
        {
            File.SetUnixFileMode(dir["train/b"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void UnreadableClassFolderIsReportedThroughTheListingSeam()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train"], ["a", "b"], 1);
        var denied = dir["train/b"];
        // What .NET throws for a folder without read permission (EACCES).
        FolderWalker.DirectoryLister list = d => d.FullName == denied
            ? throw new UnauthorizedAccessException($"Access to the path '{denied}' is denied.")
            : d.EnumerateFileSystemInfos();
        var split = ImageFolder.Scan(dir["train"], BadFilePolicy.Skip, null, list: list);
        var problem = Assert.Single(split.Problems);
        Assert.Contains("permission denied", problem);
        Assert.Contains(denied, problem);
        Assert.DoesNotContain("no image files", problem);
        Assert.Equal([1, 0], split.ClassCounts);
    }

    // ---- one class -----------------------------------------------------------------------------------------------

    [Fact]
    public void OneClassIsRefusedAsAUsageError()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["hotdog"], 2);
        var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("a classifier needs at least 2 classes", e.Message);
        Assert.Contains("hotdog", e.Message);
        Assert.Contains(dir["train"], e.Message);
        Assert.True(e.IsUsageError);
        Assert.Equal(SharpTuneCli.UsageError, SharpTuneCli.ExitCodeFor(e));
        Assert.Equal(SharpTuneCli.RuntimeError, SharpTuneCli.ExitCodeFor(new DataException("other data problem")));
    }

    [Fact]
    public void InspectSaysAOneClassDatasetIsNotUsable()
    {
        using var dir = new TempDir();
        using var cwd = new TempDir();
        TestImages.MakeDataset(dir["ds"], ["train", "test"], ["hotdog"], 2);
        var report = DatasetInspector.Inspect(dir["ds"]);
        Assert.False(report.Usable);
        Assert.Contains(report.Problems, p => p.Contains("a classifier needs at least 2 classes"));

        var (code, output, err) = SharpTune.Tests.Reliability.CliProcess.RunIn(cwd.Path, "data", "inspect", dir["ds"], "--no-preview");
        Assert.True(code == 1, $"exit {code}: {output}{err}");
        Assert.Contains("usable for training: no", output);
        Assert.Contains("a classifier needs at least 2 classes", output);
    }

    [Fact]
    public void TextDatasetWithOneLabelIsRefused()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("train.csv"), "text,label\nwin money,spam\nfree pills,spam\n");
        File.WriteAllText(dir.File("test.csv"), "text,label\nclaim now,spam\n");
        var e = Assert.Throws<DataException>(() => TextDataset.Open(dir.Path));
        Assert.Contains("a classifier needs at least 2 classes", e.Message);
        Assert.Contains("spam", e.Message);
        Assert.True(e.IsUsageError);

        using var folders = new TempDirectory();
        foreach (var split in new[] { "train", "test" })
        {
            Directory.CreateDirectory(Path.Combine(folders.Path, split, "spam"));
            File.WriteAllText(Path.Combine(folders.Path, split, "spam", "a.txt"), "win");
        }
        e = Assert.Throws<DataException>(() => TextDataset.Open(folders.Path));
        Assert.Contains("a classifier needs at least 2 classes", e.Message);
        Assert.True(e.IsUsageError);
    }

    // ---- data inspect output folder ------------------------------------------------------------------------------

    [Fact]
    public void InspectWritesItsReportUnderRunsNotIntoTheCurrentDirectory()
    {
        using var dir = new TempDir();
        using var cwd = new TempDir();
        TestImages.MakeDataset(dir["hotdogs"], ["train", "test"], ["a", "b"], 2);
        var (code, output, err) = SharpTune.Tests.Reliability.CliProcess.RunIn(cwd.Path, "data", "inspect", dir["hotdogs"]);
        Assert.True(code == 0, $"exit {code}: {output}{err}");
        Assert.Empty(Directory.GetFiles(cwd.Path));
        var runs = Directory.GetDirectories(cwd["runs"]);
        var report = Assert.Single(runs);
        Assert.Matches(@"^inspect-hotdogs-\d{8}-\d{6}$", Path.GetFileName(report));
        Assert.True(File.Exists(Path.Combine(report, "preview.png")));
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "report.json"))))
            Assert.True(json.RootElement.GetProperty("usable").GetBoolean());
        Assert.Contains(Path.Combine(report, "report.json"), output);
        Assert.Contains(Path.Combine(report, "preview.png"), output);
    }

    [Fact]
    public void InspectOutChoosesTheReportFolderAndPreviewStillOverridesThePng()
    {
        using var dir = new TempDir();
        using var cwd = new TempDir();
        TestImages.MakeDataset(dir["ds"], ["train", "test"], ["a", "b"], 2);
        var (code, output, err) = SharpTune.Tests.Reliability.CliProcess.RunIn(cwd.Path, "data", "inspect", dir["ds"], "--json", "--out", dir["report"], "--preview", dir["grid.png"]);
        Assert.True(code == 0, $"exit {code}: {output}{err}");
        Assert.Empty(Directory.GetFileSystemEntries(cwd.Path));
        Assert.True(File.Exists(dir["grid.png"]));
        Assert.False(File.Exists(dir["report/preview.png"]));
        // report.json is what --json prints.
        Assert.Equal(output.Trim(), File.ReadAllText(dir["report/report.json"]).Trim());
        using var json = JsonDocument.Parse(output);
        Assert.Equal(dir["grid.png"], json.RootElement.GetProperty("preview").GetProperty("path").GetString());
        Assert.Contains(dir["report/report.json"], err); // where it went, without breaking the JSON on stdout
    }
}
