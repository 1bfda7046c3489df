namespace SharpTune.Data;

/// <summary>
/// Turns decoded RGBA rows (as stored in the file) into an upright RGB image by applying the EXIF orientation
/// (1–8, the values of SkiaSharp's <c>SKEncodedOrigin</c>). Alpha is dropped, as PIL's <c>convert("RGB")</c> does.
/// </summary>
internal static class ExifOrientation
{
    /// <summary>Converts <paramref name="width"/>×<paramref name="height"/> RGBA pixels (stride width*4) to an upright RGB image.</summary>
    public static RgbImage ToUprightRgb(byte[] rgba, int width, int height, int orientation)
    {
        if (orientation is < 1 or > 8) orientation = 1;
        bool transposed = orientation >= 5;
        int vw = transposed ? height : width;
        int vh = transposed ? width : height;
        var rgb = new byte[vw * vh * 3];
        for (int sy = 0; sy < height; sy++)
        {
            // Visual pixel index of stored pixel (0, sy) and its step per stored column, in pixels.
            (int start, int step) = orientation switch
            {
                1 => (sy * vw, 1),
                2 => (sy * vw + width - 1, -1),
                3 => ((height - 1 - sy) * vw + width - 1, -1),
                4 => ((height - 1 - sy) * vw, 1),
                5 => (sy, vw),
                6 => (height - 1 - sy, vw),
                7 => ((width - 1) * vw + height - 1 - sy, -vw),
                _ => ((width - 1) * vw + sy, -vw),
            };
            int src = sy * width * 4;
            if (step == 1)
            {
                int dst = start * 3;
                for (int sx = 0; sx < width; sx++, src += 4, dst += 3)
                {
                    rgb[dst] = rgba[src];
                    rgb[dst + 1] = rgba[src + 1];
                    rgb[dst + 2] = rgba[src + 2];
                }
            }
            else
            {
                int dst = start * 3, dstStep = step * 3;
                for (int sx = 0; sx < width; sx++, src += 4, dst += dstStep)
                {
                    rgb[dst] = rgba[src];
                    rgb[dst + 1] = rgba[src + 1];
                    rgb[dst + 2] = rgba[src + 2];
                }
            }
        }
        return new RgbImage(vw, vh, rgb);
    }
}
