namespace SharpTune.Weights;

/// <summary>
/// A file shipped inside a NuGet package (e.g. the ResNet-18 ONNX of Microsoft.ML.DnnImageFeaturizer.ResNet18). It is
/// looked for, in order: in the environment variable <see cref="EnvironmentVariable"/>, beside the running assemblies
/// (the build copies it there), and in the NuGet package cache.
/// </summary>
/// <param name="PackageId">NuGet package id.</param>
/// <param name="Version">Package version.</param>
/// <param name="PathInPackage">Path of the file inside the package.</param>
/// <param name="OutputRelativePath">Path the build copies it to, relative to the output folder.</param>
/// <param name="EnvironmentVariable">Variable that may name the file directly.</param>
public sealed record PackagedFile(string PackageId, string Version, string PathInPackage, string OutputRelativePath, string EnvironmentVariable)
{
    /// <summary>Where the file is looked for, in order.</summary>
    public IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) yield return fromEnvironment;
        yield return Path.Combine(AppContext.BaseDirectory, OutputRelativePath);
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(nugetRoot))
            nugetRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        yield return Path.Combine(nugetRoot, PackageId.ToLowerInvariant(), Version, PathInPackage);
    }

    /// <summary>The first existing candidate.</summary>
    /// <exception cref="WeightsException">None exists; the message lists where it looked.</exception>
    public string Locate()
    {
        var candidates = Candidates().ToList();
        var found = candidates.FirstOrDefault(File.Exists);
        return found ?? throw new WeightsException(
            $"{Path.GetFileName(PathInPackage)} (NuGet {PackageId} {Version}) not found; looked in: {string.Join(", ", candidates)}. " +
            $"Run 'dotnet restore' or set {EnvironmentVariable}.");
    }
}
