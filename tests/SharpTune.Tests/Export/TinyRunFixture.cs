using SharpTune.Tests.Training;
using SharpTune.Training;

namespace SharpTune.Tests.Export;

/// <summary>One finished tiny run (test-resnet, 32 px, two classes), trained once and shared by the export tests.</summary>
public sealed class TinyRunFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TinyRunFixture()
    {
        Data = TinyImageFolder.Create(_dir.File("data"));
        RunDirectory = _dir.File("run");
        FineTuneJob.Run(new FineTuneOptions
        {
            Data = Data, Model = "test-resnet", Init = InitMode.Scratch, Size = 32, BatchSize = 8, Epochs = 3, Lr = 0.001,
            Momentum = 0.9, Threads = 1, Workers = 1, Seed = 3,
        }, RunDirectory);
    }

    /// <summary>The ImageFolder the run was trained on (train/test × bright/dark).</summary>
    public string Data { get; }

    /// <summary>The finished run directory.</summary>
    public string RunDirectory { get; }

    /// <summary>Test images of the ImageFolder, both classes.</summary>
    public IReadOnlyList<string> TestImages =>
        Directory.GetFiles(Path.Combine(Data, "test"), "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public void Dispose() => _dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TinyRunCollection : ICollectionFixture<TinyRunFixture>
{
    public const string Name = "tiny run";
}
