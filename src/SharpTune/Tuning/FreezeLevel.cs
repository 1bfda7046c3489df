namespace SharpTune.Tuning;

/// <summary>
/// How much of a ResNet body is frozen: everything up to and including the named part. Frozen parameters get no
/// gradient, are not given to the optimiser, and their BatchNorm layers keep their statistics (eval mode).
/// </summary>
public enum FreezeLevel
{
    /// <summary>Train everything.</summary>
    None,
    /// <summary>Freeze conv1 and bn1.</summary>
    Stem,
    /// <summary>Freeze the stem and layer1.</summary>
    Layer1,
    /// <summary>Freeze up to layer2.</summary>
    Layer2,
    /// <summary>Freeze up to layer3.</summary>
    Layer3,
    /// <summary>Freeze up to layer4 (the whole body): same as <see cref="Backbone"/> for a ResNet.</summary>
    Layer4,
    /// <summary>Freeze the whole body and train only the head (a linear probe).</summary>
    Backbone,
}

/// <summary>Parsing and naming of <see cref="FreezeLevel"/> as used on the command line.</summary>
public static class FreezeLevels
{
    /// <summary>The accepted names, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "stem", "layer1", "layer2", "layer3", "layer4", "backbone"];

    /// <summary>Parses a level name (case-insensitive); null when unknown.</summary>
    public static FreezeLevel? TryParse(string text)
    {
        int i = Names.ToList().FindIndex(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return i < 0 ? null : (FreezeLevel)i;
    }

    /// <summary>The command-line name of a level.</summary>
    public static string Name(this FreezeLevel level) => Names[(int)level];

    /// <summary>How many of the body parts (conv1, bn1, layer1…layer4) the level freezes.</summary>
    public static int FrozenBodyParts(this FreezeLevel level) => level switch
    {
        FreezeLevel.None => 0,
        FreezeLevel.Stem => 2,
        FreezeLevel.Layer1 => 3,
        FreezeLevel.Layer2 => 4,
        FreezeLevel.Layer3 => 5,
        _ => 6,
    };
}
