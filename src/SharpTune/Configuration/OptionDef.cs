using SharpTune.Training;

namespace SharpTune.Configuration;

/// <summary>
/// One setting of <see cref="FineTuneOptions"/>: its kebab-case name (the CLI option <c>--name</c> and the YAML key
/// <c>name</c>), help text, how to read it from text and how to print it.
/// </summary>
/// <param name="Name">Kebab-case name without dashes, e.g. <c>head-lr-mult</c>.</param>
/// <param name="Help">One line of help.</param>
/// <param name="Get">Formats the current value (invariant culture); null when unset.</param>
/// <param name="Set">Parses text into the options; throws <see cref="FormatException"/> with a reason when invalid.</param>
/// <param name="NegativeFlag">A value-less CLI flag that sets the option to false (e.g. <c>no-param-groups</c>).</param>
/// <param name="OnlyFor">The kind of model the setting applies to; setting it for the other kind is an error. Null = both.</param>
public sealed record OptionDef(
    string Name,
    string Help,
    Func<FineTuneOptions, string?> Get,
    Func<FineTuneOptions, string, FineTuneOptions> Set,
    string? NegativeFlag = null,
    Models.ModelTask? OnlyFor = null)
{
    /// <summary>Applies <paramref name="text"/>, turning parse failures into a message naming <paramref name="origin"/>.</summary>
    public FineTuneOptions Apply(FineTuneOptions options, string text, string origin)
    {
        try
        {
            return Set(options, text);
        }
        catch (FormatException e)
        {
            throw new OptionsException($"{origin}: '{text}' {e.Message}");
        }
    }
}
