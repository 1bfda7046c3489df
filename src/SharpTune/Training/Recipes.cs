using SharpTune.Configuration;

namespace SharpTune.Training;

/// <summary>
/// Recipe presets: settings a recipe changes from the d2l defaults, applied to every setting the user did not set
/// (flags or YAML), so a preset never overrides an explicit choice.
/// </summary>
public static class Recipes
{
    /// <summary>The settings each recipe changes (option name → value).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Preset(RecipeKind recipe) => recipe switch
    {
        RecipeKind.Fastai =>
        [
            new("optimizer", "adamw"),
            new("lr", "2e-3"),
            new("loss-reduction", "mean"),
            new("weight-decay", "0.01"),
            new("schedule", "onecycle"),
            new("train-bn", "true"),
        ],
        _ => [],
    };

    /// <summary>Applies the preset of <paramref name="options"/>' recipe to the settings not in <paramref name="explicitlySet"/>.</summary>
    public static FineTuneOptions ApplyPreset(FineTuneOptions options, IReadOnlySet<string> explicitlySet)
    {
        foreach (var (name, value) in Preset(options.Recipe))
            if (!explicitlySet.Contains(name)) options = OptionTable.Find(name)!.Apply(options, value, name);
        return options;
    }
}
