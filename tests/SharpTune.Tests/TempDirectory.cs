namespace SharpTune.Tests;

/// <summary>A temporary folder deleted when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sharptune-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Points SharpTune's cache at a fresh temporary folder for the lifetime of the object.</summary>
public sealed class TemporaryCache : IDisposable
{
    private readonly string? _previous = Environment.GetEnvironmentVariable(SharpTune.Weights.SharpTuneCache.EnvironmentVariable);
    private readonly TempDirectory _dir = new();

    public TemporaryCache() => Environment.SetEnvironmentVariable(SharpTune.Weights.SharpTuneCache.EnvironmentVariable, _dir.Path);

    public string Path => _dir.Path;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(SharpTune.Weights.SharpTuneCache.EnvironmentVariable, _previous);
        _dir.Dispose();
    }
}
