using SharpTune.Data;
using Xunit;

namespace SharpTune.Tests.Data;

public class ImageFolderTests
{
    [Fact]
    public void ClassesAreSortedOrdinallyAndIndexedByPosition()
    {
        using var dir = new TempDir();
        // Ordinal order: upper case before lower case, "class10" before "class2" (torchvision's sorted()).
        string[] classes = ["class2", "Zebra", "class10", "apple"];
        TestImages.MakeDataset(dir.Path, ["train", "test"], classes, 2);
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal(["Zebra", "apple", "class10", "class2"], data.Classes);
        Assert.Equal(data.Train.Classes, data.Test.Classes);
        Assert.Equal(8, data.Train.Samples.Count);
        foreach (var s in data.Train.Samples)
            Assert.Equal(data.Classes[s.Label], Path.GetFileName(Path.GetDirectoryName(s.Path)));
        Assert.Equal(2, data.Train.IndexOf("class10"));
        Assert.Equal(-1, data.Train.IndexOf("nope"));
        Assert.Equal([2, 2, 2, 2], data.Train.ClassCounts);
        Assert.Equal("test", data.TestSplitName);
        // Samples come class by class, files in name order.
        Assert.Equal(data.Train.Samples.OrderBy(s => s.Label).ThenBy(s => s.Path, StringComparer.Ordinal), data.Train.Samples);
    }

    [Fact]
    public void FilesAreListedLikeTorchvisionWalk()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["test"], ["a", "b"], 1);
        TestImages.MakeDataset(dir.Path, ["train"], ["b"], 1); // a classifier needs two classes
        var cls = dir["train/a"];
        TestImages.WriteJpeg(Path.Combine(cls, "b.jpg"));
        TestImages.WriteJpeg(Path.Combine(cls, "A.JPG"));
        TestImages.WriteJpeg(Path.Combine(cls, "sub", "a.png"));
        TestImages.WriteJpeg(Path.Combine(cls, "sub", "deeper", "z.jpeg"));
        var split = ImageFolder.Open(dir.Path).Train;
        var relative = split.Samples.Where(s => s.Label == 0).Select(s => Path.GetRelativePath(cls, s.Path)).ToList();
        // os.walk groups sorted by directory path, names sorted within each.
        Assert.Equal(["A.JPG", "b.jpg", Path.Combine("sub", "a.png"), Path.Combine("sub", "deeper", "z.jpeg")], relative);
    }

    [Fact]
    public void HiddenAndNonImageFilesAreIgnoredNotErrors()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["cat", "dog"], 2);
        File.WriteAllText(dir["train/cat/notes.txt"], "hello");
        File.WriteAllText(dir["train/cat/.DS_Store"], "junk");
        TestImages.WriteJpeg(dir["train/cat/.hidden.jpg"]);
        TestImages.WriteJpeg(dir["train/.ipynb_checkpoints/x.jpg"]);
        TestImages.WriteJpeg(dir["train/stray.jpg"]);
        var data = ImageFolder.Open(dir.Path, BadFilePolicy.Fail);
        Assert.Equal(["cat", "dog"], data.Classes);
        Assert.Equal(4, data.Train.Samples.Count);
        Assert.Empty(data.Train.BadImages);
        Assert.Contains(dir["train/cat/notes.txt"], data.Train.IgnoredFiles);
        Assert.Contains(dir["train/stray.jpg"], data.Train.IgnoredFiles);
        Assert.DoesNotContain(data.Train.IgnoredFiles, f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void ValIsUsedWhenThereIsNoTest()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "val"], ["ants", "bees"], 1);
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal("val", data.TestSplitName);
        Assert.Equal("val", data.Test.SplitName);
        Assert.Equal(2, data.Test.Samples.Count);
    }

    [Fact]
    public void MissingSplitsAndClassesAreClearErrors()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir["nowhere"]));
        Assert.Contains("does not exist", e.Message);

        TestImages.MakeDataset(dir.Path, ["test"], ["a"], 1);
        e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("no 'train' split", e.Message);
        Assert.Contains("test", e.Message); // lists the folders it found

        TestImages.MakeDataset(dir.Path, ["train"], ["a"], 1);
        Directory.Delete(dir["test"], true);
        e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("no 'test' (or 'val') split", e.Message);

        Directory.CreateDirectory(dir["test"]);
        e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("has no class folders", e.Message);
        Assert.Contains(dir["test"], e.Message);

        Directory.CreateDirectory(dir["test/a"]);
        File.WriteAllText(dir["test/a/readme.txt"], "x");
        e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("has no image files", e.Message);
        Assert.Contains(dir["test/a"], e.Message);
    }

    [Fact]
    public void DifferentClassSetsAreRefused()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train"], ["cat", "dog", "emu"], 1);
        TestImages.MakeDataset(dir.Path, ["test"], ["cat", "dog", "fox"], 1);
        var e = Assert.Throws<DataException>(() => ImageFolder.Open(dir.Path));
        Assert.Contains("differ", e.Message);
        Assert.Contains("only in train: [emu]", e.Message);
        Assert.Contains("only in test: [fox]", e.Message);
    }

    [Fact]
    public async Task SymbolicLinkLoopsDoNotHangTheScan()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 2);
        Directory.CreateSymbolicLink(dir["train/a/loop"], dir["train/a"]);           // a/loop -> a
        Directory.CreateDirectory(dir["train/b/x"]);
        Directory.CreateSymbolicLink(dir["train/b/x/up"], dir["train/b"]);           // b/x/up -> b
        File.CreateSymbolicLink(dir["train/b/self.jpg"], dir["train/b/self.jpg"]);  // a file link to itself
        var data = await Task.Run(() => ImageFolder.Open(dir.Path)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, data.Train.ClassCounts[0]);
        Assert.Equal(2, data.Train.ClassCounts[1]);
        Assert.Contains(data.Train.Notes, n => n.Contains("already scanned"));
        Assert.Contains(data.Train.BadImages, b => b.Path.EndsWith("self.jpg"));
    }

    [Fact]
    public void LinkedFoldersAndFilesAreFollowed()
    {
        using var dir = new TempDir();
        TestImages.MakeDataset(dir.Path, ["train", "test"], ["a", "b"], 1);
        TestImages.WriteJpeg(dir["elsewhere/pic.jpg"]);
        Directory.CreateSymbolicLink(dir["train/a/linked"], dir["elsewhere"]);
        File.CreateSymbolicLink(dir["train/a/link.jpg"], dir["elsewhere/pic.jpg"]);
        var data = ImageFolder.Open(dir.Path);
        Assert.Equal([3, 1], data.Train.ClassCounts);
        Assert.Empty(data.Train.SkippedLinks); // 'elsewhere' is in the dataset folder but in no split
    }
}
