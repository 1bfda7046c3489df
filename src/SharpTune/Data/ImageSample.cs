namespace SharpTune.Data;

/// <summary>One labelled image of a dataset split.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Label">Class index (position of the class folder in the ordinally sorted class list).</param>
public sealed record ImageSample(string Path, int Label);
