// Classifies images with an ONNX file exported by `sharptune export --format onnx`, using only ONNX Runtime and
// SkiaSharp. Everything the model needs is read from the file's metadata:
//   classes        JSON array of class names, in output order
//   preprocessing  JSON: resize_size, keep_aspect, crop_size, normalization {channel_order, pixel_scale, mean, std}
//   input          JSON: name, kind ("normalized": float32 NCHW; "rgb_pixels": uint8 NHWC, the graph normalises)
// Usage: OnnxClassify MODEL.onnx IMAGE... [--top-k N]
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

var files = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
int topK = 3;
int k = Array.IndexOf(args, "--top-k");
if (k >= 0)
{
    if (k + 1 >= args.Length || !int.TryParse(args[k + 1], out topK) || topK < 1)
    {
        Console.Error.WriteLine("error: --top-k needs a positive number");
        return 2;
    }
    files.Remove(args[k + 1]);
}
if (files.Count < 2)
{
    Console.Error.WriteLine("usage: OnnxClassify MODEL.onnx IMAGE... [--top-k N]");
    return 2;
}

try
{
    using var session = new InferenceSession(files[0]);
    var meta = session.ModelMetadata.CustomMetadataMap;
    if (!meta.TryGetValue("classes", out var classesJson) || !meta.TryGetValue("preprocessing", out var preJson) || !meta.TryGetValue("input", out var inputJson))
    {
        Console.Error.WriteLine($"error: {files[0]}: no SharpTune metadata (classes, preprocessing, input)");
        return 1;
    }
    var classes = JsonSerializer.Deserialize<string[]>(classesJson)!;
    using var pre = JsonDocument.Parse(preJson);
    using var input = JsonDocument.Parse(inputJson);
    var p = pre.RootElement;
    int resize = p.GetProperty("resize_size").GetInt32(), crop = p.GetProperty("crop_size").GetInt32();
    bool keepAspect = p.GetProperty("keep_aspect").GetBoolean();
    var norm = p.GetProperty("normalization");
    bool bgr = norm.GetProperty("channel_order").GetString() == "bgr";
    float scale = norm.GetProperty("pixel_scale").GetSingle();
    float[] mean = norm.GetProperty("mean").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    float[] std = norm.GetProperty("std").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    string inputName = input.RootElement.GetProperty("name").GetString()!;
    bool rawPixels = input.RootElement.GetProperty("kind").GetString() == "rgb_pixels";

    foreach (var file in files.Skip(1))
    {
        byte[] rgb = LoadRgb(file, resize, keepAspect, crop); // [crop, crop, 3]
        OrtValue tensor;
        if (rawPixels)
        {
            tensor = OrtValue.CreateTensorValueFromMemory(rgb, [1, crop, crop, 3]);
        }
        else
        {
            // x = (pixel / 255 * scale - mean[c]) / std[c], planes in the model's channel order (NCHW).
            var x = new float[3 * crop * crop];
            int plane = crop * crop;
            for (int i = 0; i < plane; i++)
                for (int c = 0; c < 3; c++)
                {
                    int m = bgr ? 2 - c : c; // model channel of RGB channel c
                    x[m * plane + i] = (rgb[i * 3 + c] / 255f * scale - mean[m]) / std[m];
                }
            tensor = OrtValue.CreateTensorValueFromMemory(x, [1, 3, crop, crop]);
        }
        using (tensor)
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [inputName], [tensor], ["probabilities"]);
            var probabilities = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            Console.WriteLine(file);
            foreach (var (prob, index) in probabilities.Select((v, i) => (v, i)).OrderByDescending(t => t.v).Take(topK))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {prob,7:0.0000}  {classes[index]}"));
        }
    }
    return 0;
}
catch (Exception e) when (e is OnnxRuntimeException or IOException or InvalidDataException or JsonException or KeyNotFoundException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// Decodes (EXIF orientation applied), resizes with bilinear filtering (mipmaps when shrinking) and centre-crops:
// returns crop×crop RGB bytes, rows top to bottom.
static byte[] LoadRgb(string file, int resize, bool keepAspect, int crop)
{
    using var data = SKData.Create(file) ?? throw new IOException($"{file}: cannot read");
    using var image = SKImage.FromEncodedData(data) ?? throw new InvalidDataException($"{file}: not a decodable image");
    int w = resize, h = resize;
    if (keepAspect)
    {
        // torchvision Resize(size): the shorter side becomes `resize`, the longer one int(resize * long / short).
        if (image.Width <= image.Height) h = (int)(resize * (double)image.Height / image.Width);
        else w = (int)(resize * (double)image.Width / image.Height);
    }
    var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
    using var resized = new SKBitmap(info);
    bool shrinking = w < image.Width || h < image.Height;
    var sampling = new SKSamplingOptions(SKFilterMode.Linear, shrinking ? SKMipmapMode.Linear : SKMipmapMode.None);
    if (!image.ScalePixels(resized.PeekPixels(), sampling)) throw new InvalidDataException($"{file}: cannot resize");

    // Centre crop as torchvision: offsets round((side - crop) / 2); sides shorter than the crop are padded with black.
    var rgba = resized.GetPixelSpan();
    var rgb = new byte[crop * crop * 3];
    int top = Offset(h, crop), left = Offset(w, crop);
    for (int y = 0; y < crop; y++)
        for (int x = 0; x < crop; x++)
        {
            int sy = y + top, sx = x + left;
            if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
            int s = (sy * w + sx) * 4, d = (y * crop + x) * 3;
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
    return rgb;
}

static int Offset(int side, int crop) =>
    crop > side ? -((crop - side) / 2) : (int)Math.Round((side - crop) / 2.0, MidpointRounding.ToEven);
