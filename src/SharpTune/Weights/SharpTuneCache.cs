namespace SharpTune.Weights;

/// <summary>
/// SharpTune's per-user cache folder: <c>$SHARPTUNE_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/sharptune</c>, else
/// <c>~/.cache/sharptune</c> (XDG base directory convention).
/// </summary>
public static class SharpTuneCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "SHARPTUNE_CACHE_DIR";

    /// <summary>The cache root for this user.</summary>
    public static string Root
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "sharptune");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, ".cache", "sharptune");
        }
    }

    /// <summary>Folder for converted pretrained weights.</summary>
    public static string WeightsFolder => Path.Combine(Root, "weights");
}
