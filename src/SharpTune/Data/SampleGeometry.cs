using System.Buffers;

namespace SharpTune.Data;

/// <summary>
/// The image a chain of geometric transforms has produced so far, kept as a description instead of pixels: a
/// "grid" that is the source region <c>[X0,X1)×[Y0,Y1)</c> resampled to <c>GridWidth×GridHeight</c>, a window of that
/// grid (which may reach outside it: zero padding) and a horizontal mirror flag. Crops and flips compose exactly;
/// a resize re-targets the grid, so a resize followed by crops is one resampling pass, and consecutive resizes are
/// fused into one (from the source). Only a resize of a zero-padded window renders pixels in between.
/// A crop of the unresized image also limits the source pixels a later resize may read (the "clip"), because
/// torchvision crops first and its resize never sees pixels outside the crop. Rendering happens once, at the end,
/// straight into the output buffer.
/// </summary>
internal sealed class SampleGeometry
{
    private SampleGeometry(RgbImage source, int gridWidth, int gridHeight)
    {
        Source = source;
        GridWidth = gridWidth;
        GridHeight = gridHeight;
        X1 = source.Width;
        Y1 = source.Height;
        Width = gridWidth;
        Height = gridHeight;
        ClipX1 = source.Width;
        ClipY1 = source.Height;
        Native = true;
    }

    /// <summary>
    /// Starts from <paramref name="source"/> seen as an image of <paramref name="width"/>×<paramref name="height"/>
    /// pixels (its original size when it was decoded or cached at a reduced scale).
    /// </summary>
    public static SampleGeometry Start(RgbImage source, int width, int height) => new(source, width, height);

    public RgbImage Source { get; private set; }
    public int GridWidth { get; private set; }
    public int GridHeight { get; private set; }
    public double X0 { get; private set; }
    public double Y0 { get; private set; }
    public double X1 { get; private set; }
    public double Y1 { get; private set; }
    public int Left { get; private set; }
    public int Top { get; private set; }

    /// <summary>Width of the current image.</summary>
    public int Width { get; private set; }

    /// <summary>Height of the current image.</summary>
    public int Height { get; private set; }

    public bool FlipX { get; private set; }

    /// <summary>Source columns [ClipX0, ClipX1) and rows [ClipY0, ClipY1) the resampling may read.</summary>
    public int ClipX0 { get; private set; }
    public int ClipX1 { get; private set; }
    public int ClipY0 { get; private set; }
    public int ClipY1 { get; private set; }

    /// <summary>Whether the grid is the source image itself (possibly stored at a reduced scale), not resized yet.</summary>
    public bool Native { get; private set; }

    private bool IsPadded => Left < 0 || Top < 0 || Left + Width > GridWidth || Top + Height > GridHeight;

    /// <summary>Crops the current image to rows top…top+height−1 and columns left…left+width−1 (may exceed it: zero padding).</summary>
    public void Crop(int top, int left, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        // In grid coordinates the mirrored image's column c is column Width-1-c.
        int gridLeft = FlipX ? Left + (Width - (left + width)) : Left + left;
        Left = gridLeft;
        Top += top;
        Width = width;
        Height = height;
        if (Native)
        {
            // A crop of the image itself: later resampling reads only the cropped pixels (as after PIL's crop).
            double sx = (X1 - X0) / GridWidth, sy = (Y1 - Y0) / GridHeight;
            ClipX0 = Math.Clamp((int)Math.Floor(X0 + Left * sx + 1e-9), 0, Source.Width);
            ClipX1 = Math.Clamp((int)Math.Ceiling(X0 + (Left + Width) * sx - 1e-9), 0, Source.Width);
            ClipY0 = Math.Clamp((int)Math.Floor(Y0 + Top * sy + 1e-9), 0, Source.Height);
            ClipY1 = Math.Clamp((int)Math.Ceiling(Y0 + (Top + Height) * sy - 1e-9), 0, Source.Height);
        }
    }

    /// <summary>Mirrors the current image left–right.</summary>
    public void FlipHorizontal() => FlipX = !FlipX;

    /// <summary>Resizes the current image to <paramref name="height"/>×<paramref name="width"/>.</summary>
    public void Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (height == Height && width == Width) return; // torchvision returns the image unchanged
        if (IsPadded)
        {
            // Padding is part of the picture being resized: render it, then resize that.
            var rendered = RenderRgb();
            Source = rendered;
            X0 = Y0 = 0;
            X1 = rendered.Width;
            Y1 = rendered.Height;
            GridWidth = rendered.Width;
            GridHeight = rendered.Height;
            Left = Top = 0;
            FlipX = false;
            (ClipX0, ClipX1, ClipY0, ClipY1) = (0, rendered.Width, 0, rendered.Height);
        }
        double sx = (X1 - X0) / GridWidth, sy = (Y1 - Y0) / GridHeight;
        double x0 = X0 + Left * sx, x1 = X0 + (Left + Width) * sx;
        double y0 = Y0 + Top * sy, y1 = Y0 + (Top + Height) * sy;
        (X0, X1, Y0, Y1) = (x0, x1, y0, y1);
        GridWidth = width;
        GridHeight = height;
        Left = Top = 0;
        Width = width;
        Height = height;
        Native = false;
    }

    /// <summary>Renders the current image as 8-bit RGB (padding is black).</summary>
    public RgbImage RenderRgb()
    {
        var pixels = new byte[Width * Height * 3];
        int gx0 = Math.Max(Left, 0), gx1 = Math.Min(Left + Width, GridWidth);
        int gy0 = Math.Max(Top, 0), gy1 = Math.Min(Top + Height, GridHeight);
        if (gx1 > gx0 && gy1 > gy0)
        {
            int vw = gx1 - gx0, vh = gy1 - gy0;
            var buffer = ArrayPool<byte>.Shared.Rent(vw * vh * 3);
            try
            {
                ResampleValid(gx0, vw, gy0, vh, buffer);
                for (int r = 0; r < vh; r++)
                {
                    int y = gy0 - Top + r;
                    for (int c = 0; c < vw; c++)
                    {
                        int x = gx0 - Left + c;
                        if (FlipX) x = Width - 1 - x;
                        int o = (y * Width + x) * 3, s = (r * vw + c) * 3;
                        pixels[o] = buffer[s];
                        pixels[o + 1] = buffer[s + 1];
                        pixels[o + 2] = buffer[s + 2];
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return new RgbImage(Width, Height, pixels);
    }

    /// <summary>
    /// Renders the current image into <paramref name="chw"/> (3 planes of Height×Width floats): RGB channel c of a
    /// pixel with value v goes to plane <paramref name="planeOf"/>[c] as <paramref name="lut"/>[c][v].
    /// </summary>
    public void RenderChw(Span<float> chw, float[][] lut, int[] planeOf)
    {
        int plane = Width * Height;
        if (chw.Length < plane * 3) throw new ArgumentException($"output buffer holds {chw.Length} floats, needs {plane * 3}");
        if (IsPadded)
            for (int c = 0; c < 3; c++) chw.Slice(planeOf[c] * plane, plane).Fill(lut[c][0]);
        // Valid part of the window, in grid coordinates.
        int gx0 = Math.Max(Left, 0), gx1 = Math.Min(Left + Width, GridWidth);
        int gy0 = Math.Max(Top, 0), gy1 = Math.Min(Top + Height, GridHeight);
        if (gx1 <= gx0 || gy1 <= gy0) return;
        int vw = gx1 - gx0, vh = gy1 - gy0;
        var buffer = ArrayPool<byte>.Shared.Rent(vw * vh * 3);
        try
        {
            ResampleValid(gx0, vw, gy0, vh, buffer);
            var l0 = lut[0];
            var l1 = lut[1];
            var l2 = lut[2];
            int p0 = planeOf[0] * plane, p1 = planeOf[1] * plane, p2 = planeOf[2] * plane;
            for (int r = 0; r < vh; r++)
            {
                int y = gy0 - Top + r;
                int src = r * vw * 3;
                int x = gx0 - Left;
                int rowOut = y * Width;
                if (!FlipX)
                {
                    int o = rowOut + x;
                    for (int c = 0; c < vw; c++, src += 3, o++)
                    {
                        chw[p0 + o] = l0[buffer[src]];
                        chw[p1 + o] = l1[buffer[src + 1]];
                        chw[p2 + o] = l2[buffer[src + 2]];
                    }
                }
                else
                {
                    int o = rowOut + (Width - 1 - x);
                    for (int c = 0; c < vw; c++, src += 3, o--)
                    {
                        chw[p0 + o] = l0[buffer[src]];
                        chw[p1 + o] = l1[buffer[src + 1]];
                        chw[p2 + o] = l2[buffer[src + 2]];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ResampleValid(int gx0, int vw, int gy0, int vh, byte[] buffer)
    {
        var h = Resampler.Coefficients(X0, X1, ClipX0, ClipX1, GridWidth, gx0, vw);
        var v = Resampler.Coefficients(Y0, Y1, ClipY0, ClipY1, GridHeight, gy0, vh);
        Resampler.Resample(Source, h, v, buffer.AsSpan(0, vw * vh * 3));
    }
}
