using System.IO.Compression;
using System.Text.Json;
using SharpTune.Tests.Training;

namespace SharpTune.Tests.Reliability;

/// <summary>
/// A dataset with planted bad files of every kind, run through the real CLI: under <c>skip</c> every planted file is
/// reported by path and the run completes; under <c>fail</c> the run stops before training with the full list.
/// </summary>
public class BadDataTests
{
    /// <summary>Plants one file of each kind in train/bright; returns their paths by kind.</summary>
    public static Dictionary<string, string> Plant(string data)
    {
        var dir = Path.Combine(data, "train", "bright");
        var good = File.ReadAllBytes(Path.Combine(dir, "000.png"));
        var planted = new Dictionary<string, string>();
        string Add(string kind, string name) => planted[kind] = Path.Combine(dir, name);

        File.WriteAllBytes(Add("zero-byte", "empty.jpg"), []);
        File.WriteAllBytes(Add("truncated", "truncated.png"), good[..(good.Length / 2)]);
        File.WriteAllText(Add("not-an-image", "notes.png"), "these are my holiday notes, not a picture\n");
        using (var gz = new GZipStream(File.Create(Add("wrong-extension", "archive.jpg")), CompressionLevel.Fastest))
            gz.Write(good);
        File.WriteAllBytes(Add("huge-dimension", "huge.png"), HugePngHeader(30000, 30000));
        File.CreateSymbolicLink(Add("symlink-loop", "loop.jpg"), Path.Combine(dir, "loop.jpg"));
        if (!IsRoot && !OperatingSystem.IsWindows())
        {
            // Root reads files whatever their mode, so this kind can only be planted for an ordinary user.
            File.WriteAllBytes(Add("unreadable", "secret.png"), good);
            File.SetUnixFileMode(planted["unreadable"], UnixFileMode.None);
        }
        // Not errors: ignored quietly.
        File.WriteAllText(Path.Combine(dir, "README.txt"), "ignored");
        File.WriteAllBytes(Path.Combine(dir, ".DS_Store"), [0, 0, 0, 1]);
        return planted;
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static byte[] HugePngHeader(int width, int height)
    {
        // Signature + a well-formed IHDR chunk (CRC included) declaring width×height RGB; no image data.
        byte[] ihdr = [.. "IHDR"u8, .. BigEndian(width), .. BigEndian(height), 8, 2, 0, 0, 0];
        return [0x89, .. "PNG\r\n\x1a\n"u8, .. BigEndian(13), .. ihdr, .. BigEndian((int)Crc32(ihdr))];
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    private static string[] Args(string data, string output, string policy) =>
    [
        "finetune", "--data", data, "--out", output, "--model", "test-resnet", "--init", "scratch", "--size", "32",
        "--batch-size", "8", "--epochs", "1", "--threads", "1", "--workers", "1", "--bad-files", policy,
    ];

    [Fact]
    public void Skip_reports_every_planted_file_and_completes_with_the_good_ones()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var planted = Plant(data);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "skip"));
        Assert.True(code == 0, stderr);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        var reported = summary.GetProperty("bad_images").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        Assert.Equal(planted.Values.ToHashSet(), reported);
        foreach (var (kind, path) in planted) Assert.True(stderr.Contains(path), $"{kind} not reported on stderr");
        Assert.Equal(24, summary.GetProperty("train_examples").GetInt32()); // the 24 good training images
        Assert.DoesNotContain("README.txt", stderr);
    }

    [Fact]
    public void Fail_stops_before_training_with_the_full_list_and_writes_no_run()
    {
        using var dir = new TempDirectory();
        var data = TinyImageFolder.Create(dir.File("data"));
        var planted = Plant(data);
        var run = dir.File("run");
        var (code, _, stderr) = CliProcess.Run(null, Args(data, run, "fail"));
        Assert.Equal(1, code);
        foreach (var (kind, path) in planted) Assert.True(stderr.Contains(path), $"{kind} missing from the list: {stderr}");
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
        Assert.False(File.Exists(Path.Combine(run, "metrics.jsonl")));
    }
}
