namespace SharpTune.Data;

/// <summary>The train and test splits of an image folder dataset, with identical class lists.</summary>
/// <param name="Root">The dataset folder (holding <c>train/</c> and <c>test/</c> or <c>val/</c>).</param>
/// <param name="Train">The training split.</param>
/// <param name="Test">The test split (<c>test/</c>, or <c>val/</c> when there is no <c>test/</c>).</param>
/// <param name="TestSplitName">Folder name of the test split: <c>test</c> or <c>val</c>.</param>
public sealed record ImageFolderSplits(string Root, ImageFolder Train, ImageFolder Test, string TestSplitName)
{
    /// <summary>The class names (identical in both splits), in index order.</summary>
    public IReadOnlyList<string> Classes => Train.Classes;

    /// <summary>Bad files of both splits.</summary>
    public IReadOnlyList<BadImage> BadImages => [.. Train.BadImages, .. Test.BadImages];

    /// <summary>Symbolic links not followed in both splits (see <see cref="ImageFolder.SkippedLinks"/>), for a run to report.</summary>
    public IReadOnlyList<string> SkippedLinks => [.. Train.SkippedLinks, .. Test.SkippedLinks];
}
