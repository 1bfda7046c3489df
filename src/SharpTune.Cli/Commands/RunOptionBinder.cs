using System.CommandLine;
using SharpTune.Configuration;
using SharpTune.Training;

namespace SharpTune.Cli.Commands;

/// <summary>
/// Builds the fine-tuning options of a command from <see cref="OptionTable"/> and resolves them with the precedence
/// CLI flags &gt; <c>--config</c> YAML &gt; defaults (the model kind's recipe, see <see cref="FineTuneOptions.RecipeFor"/>,
/// and without --data the embedded dataset's settings).
/// </summary>
public sealed class RunOptionBinder
{
    private readonly List<(OptionDef Def, Option<string> Option)> _values = [];
    private readonly List<(OptionDef Def, Option<bool> Flag)> _flags = [];

    /// <summary><c>--config FILE.yaml</c>.</summary>
    public Option<string> Config { get; } = new("--config") { Description = "YAML file with any of these options (kebab-case keys); flags given here override it." };

    /// <summary>Adds every fine-tuning option to <paramref name="command"/>.</summary>
    public RunOptionBinder AddTo(Command command)
    {
        foreach (var def in OptionTable.All)
        {
            var byDefault = def.Get(new FineTuneOptions());
            var option = new Option<string>("--" + def.Name)
            {
                Description = def.Help + (byDefault is null ? "" : $" [default: {byDefault}]"),
                HelpName = def.Name.Split('-')[^1].ToUpperInvariant(),
            };
            _values.Add((def, option));
            command.Options.Add(option);
            if (def.NegativeFlag is not null)
            {
                var flag = new Option<bool>("--" + def.NegativeFlag) { Description = $"Same as --{def.Name} false." };
                _flags.Add((def, flag));
                command.Options.Add(flag);
            }
        }
        command.Options.Add(Config);
        return this;
    }

    /// <summary>Names of the options given on the command line (not from YAML).</summary>
    public IReadOnlyList<string> GivenOnCommandLine(ParseResult parsed) =>
        _values.Where(v => parsed.GetResult(v.Option) is { Implicit: false }).Select(v => v.Def.Name)
            .Concat(_flags.Where(f => parsed.GetValue(f.Flag)).Select(f => f.Def.NegativeFlag!))
            .ToList();

    /// <summary>Resolves the options; throws <see cref="OptionsException"/> naming the culprit.</summary>
    public FineTuneOptions Resolve(ParseResult parsed)
    {
        var explicitlySet = new HashSet<string>();
        var config = parsed.GetValue(Config);
        // The recipe defaults depend on the kind of model (d2l for images, Sun et al. for text).
        var modelOption = _values.First(v => v.Def.Name == "model").Option;
        var model = parsed.GetResult(modelOption) is { Implicit: false } ? parsed.GetValue(modelOption)
            : config is not null ? YamlConfig.Read(config).FirstOrDefault(kv => kv.Key.Equals("model", StringComparison.OrdinalIgnoreCase)).Value : null;
        var options = FineTuneOptions.RecipeFor(string.IsNullOrWhiteSpace(model) ? new FineTuneOptions().Model : model.Trim());
        if (config is not null)
        {
            options = YamlConfig.Apply(options, config);
            foreach (var (key, _) in YamlConfig.Read(config)) explicitlySet.Add(key.ToLowerInvariant());
        }
        foreach (var (def, option) in _values)
        {
            if (parsed.GetResult(option) is not { Implicit: false }) continue;
            options = def.Apply(options, parsed.GetValue(option) ?? "", "--" + def.Name);
            explicitlySet.Add(def.Name);
        }
        foreach (var (def, flag) in _flags)
        {
            if (!parsed.GetValue(flag)) continue;
            if (explicitlySet.Contains(def.Name) && parsed.GetResult(_values.First(v => v.Def == def).Option) is { Implicit: false })
                throw new OptionsException($"--{def.NegativeFlag}: conflicts with --{def.Name}");
            options = def.Apply(options, "false", "--" + def.NegativeFlag);
            explicitlySet.Add(def.Name);
        }
        options = Recipes.ApplyPreset(options, explicitlySet);
        return options.Data is null ? EmbeddedDataset.For(options.Model).ApplyDefaults(options, explicitlySet) : options;
    }
}
