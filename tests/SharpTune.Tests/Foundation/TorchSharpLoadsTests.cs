using System.Diagnostics;
using static TorchSharp.torch;

namespace SharpTune.Tests.Foundation;

public class TorchSharpLoadsTests
{
    [Fact]
    public void A_TorchSharp_operation_runs()
    {
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var b = ones(3, 2);
        using var product = a.matmul(b);
        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.Equal(new[] { 3f, 3f, 12f, 12f }, product.data<float>().ToArray());
    }

    [Fact]
    public void The_output_copy_of_LibTorchSharp_marks_GLIBCXX_3_4_32_weak_and_the_NuGet_cache_is_untouched()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");
        Assert.True(File.Exists(output), output);
        Assert.Contains("GLIBCXX_3.4.32  Flags: WEAK", ReadElfVersions(output));

        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(nugetRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (File.Exists(cached)) Assert.Contains("GLIBCXX_3.4.32  Flags: none", ReadElfVersions(cached));
    }

    private static string ReadElfVersions(string path)
    {
        var psi = new ProcessStartInfo("readelf", ["-V", path]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return text;
    }
}
