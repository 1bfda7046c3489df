using SharpTune.Configuration;

namespace SharpTune.Training;

/// <summary>
/// The dataset used when no <c>--data</c> is given: a small real subset of Fashion-MNIST (MIT licence; 100 training
/// and 50 test images per class, 28×28 grey PNG), committed under <c>data/fashion-mnist-small</c> and copied next to
/// the binaries, with settings that make fine-tune vs scratch finish in a few minutes on 2 cores.
/// </summary>
public static class EmbeddedDataset
{
    /// <summary>Folder name of the dataset.</summary>
    public const string Name = "fashion-mnist-small";

    /// <summary>Where the dataset is, beside the running assemblies.</summary>
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "data", Name);

    /// <summary>
    /// Settings for this dataset that replace the recipe defaults unless the user set them (flags or YAML):
    /// 64-px crops (the images are 28 px) and batches of 64 (1,000 training images).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Defaults { get; } =
    [
        new("size", "64"),
        new("batch-size", "64"),
    ];

    /// <summary>Applies <see cref="Defaults"/> for every setting not in <paramref name="explicitlySet"/>.</summary>
    public static FineTuneOptions ApplyDefaults(FineTuneOptions options, IReadOnlySet<string> explicitlySet)
    {
        foreach (var (name, value) in Defaults)
            if (!explicitlySet.Contains(name)) options = OptionTable.Find(name)!.Apply(options, value, name);
        return options;
    }
}
