namespace SharpTune.Data;

/// <summary>What an image file's header says, read without decoding the pixels.</summary>
/// <param name="Width">Width as displayed, i.e. after the EXIF orientation is applied.</param>
/// <param name="Height">Height as displayed, i.e. after the EXIF orientation is applied.</param>
/// <param name="Format">Format found in the content (<c>jpeg</c>, <c>png</c>, <c>bmp</c>, <c>gif</c>, <c>webp</c>, …), whatever the extension says.</param>
/// <param name="Orientation">EXIF orientation (1 = none … 8), as stored in the file.</param>
public sealed record ImageHeader(int Width, int Height, string Format, int Orientation = 1)
{
    /// <summary>Whether the EXIF orientation swaps width and height (orientations 5–8).</summary>
    public bool IsTransposed => Orientation >= 5;
}
