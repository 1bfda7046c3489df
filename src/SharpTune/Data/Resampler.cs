using System.Buffers;

namespace SharpTune.Data;

/// <summary>
/// PIL's bilinear resampling (what torchvision applies to PIL images, antialiased): a separable triangle filter whose
/// support widens by the downscale factor, so shrinking averages every source pixel instead of skipping some.
/// Same coefficient formula as PIL's <c>precompute_coeffs</c> and the same 22-bit fixed-point arithmetic
/// (<c>normalize_coeffs_8bpc</c>, <c>clip8</c>); the horizontal pass runs first and is rounded to 8 bits, then the
/// vertical pass, as in PIL, so results match Pillow's bilinear resize to the bit.
/// </summary>
internal static class Resampler
{
    /// <summary>Filter taps of a run of output positions along one axis.</summary>
    internal sealed class Axis
    {
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        /// <summary>Weights in PIL's fixed point: value × 2^22, rounded half away from zero.</summary>
        public required int[] Weights { get; init; }
        public required int Stride { get; init; }
        public int Length => Start.Length;
    }

    /// <summary>
    /// Taps for output positions <paramref name="first"/> … <paramref name="first"/>+<paramref name="count"/>−1 of a
    /// resample of the source interval [<paramref name="in0"/>, <paramref name="in1"/>) onto <paramref name="outSize"/>
    /// positions, reading only source pixels [<paramref name="lo"/>, <paramref name="hi"/>) (PIL: 0 and the image size;
    /// here the crop the image went through, so that crop-then-resize equals PIL's resize of the cropped image).
    /// </summary>
    public static Axis Coefficients(double in0, double in1, int lo, int hi, int outSize, int first, int count)
    {
        double scale = (in1 - in0) / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle filter has support 1
        int stride = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[count];
        var taps = new int[count];
        var weights = new int[count * stride];
        var k = new double[stride + 2];
        double ss = 1.0 / filterScale;
        for (int i = 0; i < count; i++)
        {
            int xx = first + i;
            double center = in0 + (xx + 0.5) * scale;
            // PIL truncates toward zero and clamps at 0; relative to lo, truncation and flooring differ only below
            // lo, where both clamp.
            int xmin = (int)Math.Floor(center - support + 0.5);
            if (xmin < lo) xmin = lo;
            int xmax = (int)Math.Floor(center + support + 0.5);
            if (xmax > hi) xmax = hi;
            xmax -= xmin;
            if (xmax > stride) xmax = stride;
            if (xmax <= 0)
            {
                // Degenerate interval (cannot happen for boxes inside the image): nearest pixel.
                start[i] = Math.Clamp((int)center, lo, hi - 1);
                taps[i] = 1;
                weights[i * stride] = 1 << PrecisionBits;
                continue;
            }
            double ww = 0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double w = ww == 0 ? 0 : k[x] / ww;
                weights[i * stride + x] = (int)(w < 0 ? w * (1 << PrecisionBits) - 0.5 : w * (1 << PrecisionBits) + 0.5);
            }
            start[i] = xmin;
            taps[i] = xmax;
        }
        return new Axis { Start = start, Count = taps, Weights = weights, Stride = stride };
    }

    /// <summary>PIL's <c>PRECISION_BITS</c> (32 − 8 − 2).</summary>
    private const int PrecisionBits = 22;

    private const int Half = 1 << (PrecisionBits - 1);

    private static double Triangle(double x)
    {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    /// <summary>
    /// Resamples <paramref name="src"/> with the taps <paramref name="h"/> (columns) and <paramref name="v"/> (rows)
    /// into <paramref name="dst"/>: <c>v.Length</c> rows of <c>h.Length</c> RGB pixels.
    /// </summary>
    public static void Resample(RgbImage src, Axis h, Axis v, Span<byte> dst)
    {
        int outW = h.Length, outH = v.Length;
        // Source rows the vertical pass needs.
        int rowFirst = int.MaxValue, rowEnd = 0;
        for (int i = 0; i < outH; i++)
        {
            rowFirst = Math.Min(rowFirst, v.Start[i]);
            rowEnd = Math.Max(rowEnd, v.Start[i] + v.Count[i]);
        }
        int rows = rowEnd - rowFirst;
        int tmpStride = outW * 3;
        var tmp = ArrayPool<byte>.Shared.Rent(rows * tmpStride);
        try
        {
            HorizontalPass(src, h, rowFirst, rows, tmp);
            VerticalPass(tmp, tmpStride, rowFirst, v, outW, dst);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
    }

    private static void HorizontalPass(RgbImage src, Axis h, int rowFirst, int rows, byte[] tmp)
    {
        var px = src.Pixels;
        int srcStride = src.Width * 3;
        int outW = h.Length, stride = h.Stride;
        var starts = h.Start;
        var counts = h.Count;
        var weights = h.Weights;
        for (int r = 0; r < rows; r++)
        {
            int rowBase = (rowFirst + r) * srcStride;
            int o = r * outW * 3;
            for (int j = 0; j < outW; j++, o += 3)
            {
                int s = rowBase + starts[j] * 3;
                int n = counts[j];
                int wBase = j * stride;
                int acc0 = Half, acc1 = Half, acc2 = Half;
                for (int t = 0; t < n; t++, s += 3)
                {
                    int w = weights[wBase + t];
                    acc0 += px[s] * w;
                    acc1 += px[s + 1] * w;
                    acc2 += px[s + 2] * w;
                }
                tmp[o] = Clip8(acc0);
                tmp[o + 1] = Clip8(acc1);
                tmp[o + 2] = Clip8(acc2);
            }
        }
    }

    private static void VerticalPass(byte[] tmp, int tmpStride, int rowFirst, Axis v, int outW, Span<byte> dst)
    {
        int outH = v.Length, stride = v.Stride;
        int rowBytes = outW * 3;
        var w = v.Weights;
        for (int i = 0; i < outH; i++)
        {
            int n = v.Count[i];
            int first = (v.Start[i] - rowFirst) * tmpStride;
            int wBase = i * stride;
            var row = dst.Slice(i * rowBytes, rowBytes);
            if (n == 1 || (n == 2 && w[wBase + 1] == 0 && w[wBase] == 1 << PrecisionBits))
            {
                // Identity row (no vertical scaling at an integer offset): copy.
                tmp.AsSpan(first, rowBytes).CopyTo(row);
                continue;
            }
            if (n == 2)
            {
                // Upscaling mostly needs two taps: unrolled.
                int w0 = w[wBase], w1 = w[wBase + 1];
                var r0 = tmp.AsSpan(first, rowBytes);
                var r1 = tmp.AsSpan(first + tmpStride, rowBytes);
                for (int x = 0; x < row.Length; x++) row[x] = Clip8(Half + r0[x] * w0 + r1[x] * w1);
                continue;
            }
            for (int x = 0; x < rowBytes; x++)
            {
                int acc = Half;
                int s = first + x;
                for (int t = 0; t < n; t++, s += tmpStride)
                    acc += tmp[s] * w[wBase + t];
                row[x] = Clip8(acc);
            }
        }
    }

    private static byte Clip8(int acc)
    {
        int v = acc >> PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}
