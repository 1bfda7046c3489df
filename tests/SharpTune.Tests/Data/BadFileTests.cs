using SharpTune.Data;
using SharpTune.Models;
using SkiaSharp;
using Xunit;

namespace SharpTune.Tests.Data;

public class BadFileTests
{
    public enum Kind { ZeroByte, Truncated, NotAnImage, WrongExtension, Unreadable, BrokenLink, HugeDimensions, CorruptHeader }

    /// <summary>Writes one file of the kind into train/cat and returns its path and the expected reason fragment (null: not bad).</summary>
    private static (string Path, string? Reason) Make(TempDir dir, Kind kind)
    {
        var path = dir["train/cat/bad.jpg"];
        var jpeg = TestImages.Jpeg(64, 48, TestImages.PatternColor, 90);
        switch (kind)
        {
            case Kind.ZeroByte:
                File.WriteAllBytes(path, []);
                return (path, "empty file");
            case Kind.Truncated:
                File.WriteAllBytes(path, jpeg[..(jpeg.Length * 2 / 3)]);
                return (path, "truncated");
            case Kind.NotAnImage:
                File.WriteAllText(path, "this is not a picture\n");
                return (path, "not an image");
            case Kind.WrongExtension:
                // A PNG named .jpg: decoded by content, as PIL does; not a bad file.
                File.WriteAllBytes(path, TestImages.Png(20, 10, TestImages.PatternColor));
                return (path, null);
            case Kind.Unreadable:
                File.WriteAllBytes(path, jpeg);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.None);
                return (path, "permission denied");
            case Kind.BrokenLink:
                File.CreateSymbolicLink(path, dir["nowhere.jpg"]);
                return (path, "broken symbolic link");
            case Kind.HugeDimensions:
                File.WriteAllBytes(path, TestImages.WithDeclaredSize(jpeg, 30000, 30000));
                return (path, "exceeds the limit");
            case Kind.CorruptHeader:
                // A PNG whose IHDR no longer matches its checksum.
                var png = TestImages.Png(20, 10, TestImages.PatternColor);
                png[17] ^= 0x55;
                File.WriteAllBytes(path, png);
                return (path, "truncated png header");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public static TheoryData<Kind, BadFilePolicy> Cases()
    {
        var data = new TheoryData<Kind, BadFilePolicy>();
        foreach (var kind in Enum.GetValues<Kind>())
            foreach (var policy in Enum.GetValues<BadFilePolicy>())
                data.Add(kind, policy);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void EachBadFileKindUnderEachPolicy(Kind kind, BadFilePolicy policy)
    {
        Skip.If(kind == Kind.Unreadable && TestImages.IgnoresFilePermissions,
            "root reads files whatever their permissions: an unreadable file cannot be planted (run as another user to test it)");
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 3);
        var (path, reason) = Make(dir, kind);

        if (reason is null)
        {
            var ok = ImageFolder.Open(dir.Path, policy);
            Assert.Empty(ok.BadImages);
            Assert.Contains(ok.Train.Samples, s => s.Path == path);
            Assert.Equal(20, ImageDecoder.Decode(path).Width);
            return;
        }

        if (policy == BadFilePolicy.Fail)
        {
            var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path, policy));
            Assert.Contains(path, e.Message);
            Assert.Contains(reason, e.Message);
            Assert.Single(e.BadImages);
            return;
        }

        var data = ImageFolder.Open(dir.Path, policy);
        BadImage bad;
        if (kind == Kind.Truncated)
        {
            // Skip reads only headers when opening; the loader finds the truncation, skips the file and reports it.
            Assert.Contains(data.Train.Samples, s => s.Path == path);
            using var loader = new ImageLoader(data.Train.Samples, ImageTransforms.EvalD2l(8, Normalization.ImageNetRgb),
                new LoaderOptions(BatchSize: 4, Shuffle: false, Seed: 0, Workers: 1));
            Assert.Equal(6, loader.Epoch(0).Sum(b => { using (b) return b.Count; }));
            bad = Assert.Single(loader.BadImagesSeen);
        }
        else
        {
            Assert.DoesNotContain(data.Train.Samples, s => s.Path == path);
            bad = Assert.Single(data.BadImages);
        }
        Assert.Equal(3, data.Train.ClassCounts[1]);
        Assert.Equal(path, bad.Path);
        Assert.Contains(reason, bad.Reason);
    }

    [Fact]
    public void TruncatedFileFoundOnlyWhileLoadingIsSkippedAndReportedOnce()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 3);
        var path = dir["train/cat/late.jpg"];
        File.WriteAllBytes(path, TestImages.Jpeg(64, 48, TestImages.PatternColor, 90));
        var data = ImageFolder.Open(dir.Path, BadFilePolicy.Skip, new ImageFolderOptions(VerifyByDecoding: false));
        Assert.Contains(data.Train.Samples, s => s.Path == path);
        // Damage it after the scan (as a truncated file the header probe cannot see would be).
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var reported = new List<BadImage>();
        using var loader = new ImageLoader(data.Train.Samples, ImageTransforms.EvalD2l(8, Normalization.ImageNetRgb),
            new LoaderOptions(BatchSize: 7, Shuffle: true, Seed: 1, Workers: 2));
        loader.BadImageFound += reported.Add;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            int images = 0;
            foreach (var batch in loader.Epoch(epoch))
                using (batch)
                {
                    images += batch.Count;
                    Assert.Equal(batch.Count, (int)batch.Images.shape[0]);
                }
            Assert.Equal(6, images); // 7 samples, one skipped
        }
        var seen = Assert.Single(loader.BadImagesSeen);
        Assert.Equal(path, seen.Path);
        Assert.Contains("truncated", seen.Reason);
        Assert.Single(reported);
    }

    [Fact]
    public void FileDeletedAfterTheScanIsSkipped()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 4);
        var data = ImageFolder.Open(dir.Path);
        File.Delete(data.Train.Samples[1].Path);
        using var loader = new ImageLoader(data.Train.Samples.Take(4).ToList() /* the cats */, ImageTransforms.EvalD2l(8, Normalization.ImageNetRgb),
            new LoaderOptions(BatchSize: 4, Shuffle: false, Seed: 1, Workers: 0));
        var batch = Assert.Single(loader.Epoch(0));
        using (batch)
        {
            Assert.Equal(3, batch.Count);
            Assert.Equal([0, 2, 3], batch.SampleIndices);
        }
        Assert.Contains("not found", Assert.Single(loader.BadImagesSeen).Reason);
    }

    [Fact]
    public void NamedPipeWithAnImageNameDoesNotBlockTheScan()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 2);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", dir["train/cat/pipe.jpg"])) mkfifo.WaitForExit();
        var data = ImageFolder.Open(dir.Path, BadFilePolicy.Skip, new ImageFolderOptions(VerifyByDecoding: true));
        Assert.Equal(dir["train/cat/pipe.jpg"], Assert.Single(data.BadImages).Path);
    }

    [Fact]
    public void FailPolicyListsEveryBadFileOfBothSplits()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 2);
        File.WriteAllBytes(dir["train/cat/empty.jpg"], []);
        File.WriteAllText(dir["test/dog/text.png"], "nope");
        var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path, BadFilePolicy.Fail));
        Assert.Equal(2, e.BadImages.Count);
        Assert.Contains(dir["train/cat/empty.jpg"], e.Message);
        Assert.Contains(dir["test/dog/text.png"], e.Message);
        Assert.Contains("not an image (content looks like text, although the extension says png)", e.Message);
    }

    [Fact]
    public void ClassWhoseImagesAreAllBadIsAnError()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 1);
        File.WriteAllBytes(dir["train/dog/dog_000.jpg"], []);
        var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("no usable images", e.Message);
    }

    [Fact]
    public void PixelLimitIsCheckedBeforeDecoding()
    {
        using var dir = new TempDir();
        var path = dir["big.png"];
        File.WriteAllBytes(path, TestImages.Png(300, 200, (_, _) => SKColors.Red));
        Assert.Equal(300, ImageDecoder.Decode(path, maxPixels: 60_000).Width);
        var e = Assert.Throws<DataException>(() => ImageDecoder.Decode(path, maxPixels: 59_999));
        Assert.Contains("300x200", e.Message);
        Assert.Contains("exceeds the limit", e.Message);
    }
}
