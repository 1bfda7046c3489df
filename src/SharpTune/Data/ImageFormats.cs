namespace SharpTune.Data;

/// <summary>Which files count as images in a dataset folder.</summary>
public static class ImageFormats
{
    /// <summary>Extensions (lower case, with the dot) of the formats SkiaSharp decodes: JPEG, PNG, BMP, GIF, WebP.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    /// <summary>Whether <paramref name="fileName"/> has an image extension (case-insensitive).</summary>
    public static bool HasImageExtension(string fileName)
    {
        var ext = Path.GetExtension(fileName);
        foreach (var e in Extensions)
            if (string.Equals(ext, e, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Hidden entries (name starting with a dot, e.g. <c>.DS_Store</c>, <c>.ipynb_checkpoints</c>) are ignored.</summary>
    public static bool IsHidden(string name) => name.StartsWith('.');

    /// <summary>The format an extension announces (<c>jpeg</c>, <c>png</c>, …), or null for another extension.</summary>
    public static string? FormatOfExtension(string fileName) =>
        Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => "jpeg",
            ".png" => "png",
            ".bmp" => "bmp",
            ".gif" => "gif",
            ".webp" => "webp",
            _ => null,
        };
}
