using System.Text.Json;
using System.Text.RegularExpressions;
using SharpTune.IO;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tuning.Lora;

/// <summary>
/// LoRA adapters injected into a model: every <c>Linear</c>/<c>Conv2d</c> whose name matches the config's targets
/// gets a <see cref="LoraLayer"/>; all other parameters are frozen except those of <c>modules_to_save</c>. Saves and
/// loads only the adapter, as PEFT does: <c>adapter_model.safetensors</c> (keys
/// <c>base_model.model.&lt;module&gt;.lora_A.weight</c>, <c>….modules_to_save.weight</c>) + <c>adapter_config.json</c>.
/// </summary>
public sealed class LoraModel : IDisposable
{
    /// <summary>Adapter weights file name (PEFT's).</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>Adapter config file name (PEFT's).</summary>
    public const string ConfigFileName = "adapter_config.json";

    private const string Prefix = "base_model.model.";
    private readonly nn.Module _model;

    private LoraModel(nn.Module model, LoraConfig config, IReadOnlyList<LoraLayer> layers)
    {
        _model = model;
        Config = config;
        Layers = layers;
    }

    /// <summary>The settings.</summary>
    public LoraConfig Config { get; }

    /// <summary>The adapted layers.</summary>
    public IReadOnlyList<LoraLayer> Layers { get; }

    /// <summary>Parameters that train: LoRA matrices and modules_to_save.</summary>
    public long TrainableParameters => _model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>All parameters, LoRA included.</summary>
    public long TotalParameters => _model.parameters().Sum(p => p.numel());

    /// <summary>Injects LoRA into <paramref name="model"/> per <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">No module matches the targets (the message lists candidates).</exception>
    public static LoraModel Inject(nn.Module model, LoraConfig config)
    {
        if (config.R < 1) throw new ArgumentException($"LoRA rank must be at least 1, got {config.R}");
        var candidates = model.named_modules().Where(m => m.module is TorchSharp.Modules.Linear or TorchSharp.Modules.Conv2d).ToList();
        var targets = candidates.Where(m => Matches(m.name, config.TargetModules)).ToList();
        if (targets.Count == 0)
            throw new ArgumentException($"--lora-targets: '{string.Join(",", config.TargetModules)}' matches no Linear/Conv2d layer; names look like: " +
                                        string.Join(", ", candidates.Select(c => c.name).Take(8)));
        foreach (var p in model.parameters()) p.requires_grad = false;
        var layers = targets.Select(t => new LoraLayer(t.name, (nn.Module<Tensor, Tensor>)t.module, config.R, config.LoraAlpha, config.LoraDropout)).ToList();
        foreach (var (name, p) in model.named_parameters())
            if (config.ModulesToSave.Any(m => name.StartsWith(m + ".", StringComparison.Ordinal))) p.requires_grad = true;
        return new LoraModel(model, config, layers);
    }

    /// <summary>PEFT's matching: a list entry matches a name equal to it or ending with "."+it; "re:…" is a full-match regex.</summary>
    public static bool Matches(string name, IReadOnlyList<string> targets)
    {
        if (targets.Count == 1 && targets[0].StartsWith("re:", StringComparison.Ordinal))
            return Regex.IsMatch(name, "^(?:" + targets[0][3..] + ")$");
        return targets.Any(t => name == t || name.EndsWith("." + t, StringComparison.Ordinal));
    }

    /// <summary>Enables or disables every adapter (disabled = the base model's output).</summary>
    public void SetEnabled(bool enabled)
    {
        foreach (var l in Layers) l.Enabled = enabled;
    }

    /// <summary>Adds every update into its base weight.</summary>
    public void Merge()
    {
        foreach (var l in Layers) l.Merge();
    }

    /// <summary>Takes merged updates out of the base weights again.</summary>
    public void Unmerge()
    {
        foreach (var l in Layers) l.Unmerge();
    }

    /// <summary>Only the adapter's tensors, under PEFT's key names.</summary>
    public Dictionary<string, Tensor> AdapterStateDict()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (key, value) in _model.state_dict())
        {
            if (key.Contains(".lora_A.", StringComparison.Ordinal) || key.Contains(".lora_B.", StringComparison.Ordinal))
                result[Prefix + key] = value;
            else if (Config.ModulesToSave.FirstOrDefault(m => key.StartsWith(m + ".", StringComparison.Ordinal)) is { } module)
                result[Prefix + module + ".modules_to_save" + key[module.Length..]] = value;
        }
        return result;
    }

    /// <summary>Writes <c>adapter_model.safetensors</c> and <c>adapter_config.json</c> into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        StateDictFile.WriteSafetensors(Path.Combine(directory, WeightsFileName), AdapterStateDict());
        AtomicFile.WriteText(Path.Combine(directory, ConfigFileName), JsonSerializer.Serialize(Config, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads an adapter's config.</summary>
    public static LoraConfig ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(path)) throw new WeightsException($"{path}: adapter config not found");
        try
        {
            return JsonSerializer.Deserialize<LoraConfig>(File.ReadAllText(path)) ?? throw new WeightsException($"{path}: empty adapter config");
        }
        catch (JsonException e)
        {
            throw new WeightsException($"{path}: malformed adapter config ({e.Message})");
        }
    }

    /// <summary>Injects the adapter saved in <paramref name="directory"/> into <paramref name="model"/> and loads its weights.</summary>
    public static LoraModel Load(nn.Module model, string directory)
    {
        var lora = Inject(model, ReadConfig(directory));
        var path = Path.Combine(directory, WeightsFileName);
        var saved = StateDictFile.Read(path);
        try
        {
            var expected = lora.AdapterStateDict();
            var missing = expected.Keys.Where(k => !saved.ContainsKey(k)).ToList();
            if (missing.Count > 0) throw new WeightsException($"{path}: adapter lacks {missing.Count} tensors (e.g. '{missing[0]}')");
            using var noGrad = no_grad();
            foreach (var (key, target) in expected)
            {
                var source = saved[key];
                if (!source.shape.SequenceEqual(target.shape))
                    throw new WeightsException($"{path}: tensor '{key}' has shape [{string.Join(", ", source.shape)}] in the file but [{string.Join(", ", target.shape)}] in the model");
                target.copy_(source);
            }
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
        return lora;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in Layers) l.Dispose();
    }
}
