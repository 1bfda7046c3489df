namespace SharpTune.Data;

/// <summary>What <see cref="DatasetInspector"/> found in a dataset folder.</summary>
/// <param name="Root">The dataset folder.</param>
/// <param name="Splits">Each split found (<c>train</c>, <c>test</c>, <c>val</c>), in that order.</param>
/// <param name="Problems">What would make <see cref="ImageFolder.Open"/> refuse the dataset (empty when usable).</param>
/// <param name="Verified">Whether every image was decoded (otherwise only headers were read).</param>
public sealed record DatasetReport(string Root, IReadOnlyList<SplitReport> Splits, IReadOnlyList<string> Problems, bool Verified)
{
    /// <summary>Whether the dataset can be opened for training.</summary>
    public bool Usable => Problems.Count == 0;
}

/// <summary>One split of a <see cref="DatasetReport"/>.</summary>
/// <param name="Name">Folder name.</param>
/// <param name="Directory">Full path.</param>
/// <param name="Classes">Per-class counts, in index order.</param>
/// <param name="Images">Usable images.</param>
/// <param name="Sizes">Image-size statistics of the usable images (null when there are none).</param>
/// <param name="Formats">Usable images per format found in the content.</param>
/// <param name="ExtensionMismatches">Usable images whose extension names another format than their content (decoded by content).</param>
/// <param name="BadFiles">Files that cannot be used, with the reason.</param>
/// <param name="IgnoredFiles">Non-hidden files ignored (other extensions, or outside class folders).</param>
/// <param name="Notes">Remarks of the scan (link loops, unlistable folders).</param>
public sealed record SplitReport(string Name, string Directory, IReadOnlyList<ClassReport> Classes, int Images, SizeStats? Sizes,
                                 IReadOnlyDictionary<string, int> Formats, int ExtensionMismatches, IReadOnlyList<BadImage> BadFiles,
                                 IReadOnlyList<string> IgnoredFiles, IReadOnlyList<string> Notes);

/// <summary>Counts of one class.</summary>
/// <param name="Index">Class index.</param>
/// <param name="Name">Folder name.</param>
/// <param name="Images">Usable images.</param>
/// <param name="BadFiles">Bad files in its folder.</param>
public sealed record ClassReport(int Index, string Name, int Images, int BadFiles);

/// <summary>Statistics of image sizes (upright, after EXIF orientation).</summary>
/// <param name="MinWidth">Smallest width.</param>
/// <param name="MedianWidth">Median width.</param>
/// <param name="MaxWidth">Largest width.</param>
/// <param name="MeanWidth">Mean width.</param>
/// <param name="MinHeight">Smallest height.</param>
/// <param name="MedianHeight">Median height.</param>
/// <param name="MaxHeight">Largest height.</param>
/// <param name="MeanHeight">Mean height.</param>
/// <param name="DistinctSizes">Number of different width×height pairs.</param>
/// <param name="MostCommon">Up to five most common sizes with their counts.</param>
/// <param name="Rotated">Images with an EXIF orientation other than 1.</param>
public sealed record SizeStats(int MinWidth, int MedianWidth, int MaxWidth, double MeanWidth,
                               int MinHeight, int MedianHeight, int MaxHeight, double MeanHeight,
                               int DistinctSizes, IReadOnlyList<SizeCount> MostCommon, int Rotated);

/// <summary>A width×height and how many images have it.</summary>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Count">Images of this size.</param>
public sealed record SizeCount(int Width, int Height, int Count);
