using System.Text.Json.Serialization;

namespace SharpTune.Tuning.Lora;

/// <summary>
/// LoRA settings (Hu et al. 2021), serialised as PEFT's <c>adapter_config.json</c> (same field names), so the files
/// are recognisable to PEFT users.
/// </summary>
/// <param name="R">Rank of the update B·A.</param>
/// <param name="LoraAlpha">Scaling numerator: the update is multiplied by alpha / r.</param>
/// <param name="LoraDropout">Dropout on the LoRA path's input.</param>
/// <param name="TargetModules">Module names to adapt: each matches a module whose name equals it or ends with
/// <c>.</c>+it (PEFT's list semantics); a single entry starting with <c>re:</c> is a regular expression that must match
/// the whole module name (PEFT's string semantics).</param>
/// <param name="ModulesToSave">Modules trained fully and saved with the adapter (the new classifier head).</param>
/// <param name="BaseModelNameOrPath">The base model the adapter belongs to (zoo name).</param>
public sealed record LoraConfig(
    [property: JsonPropertyName("r")] int R,
    [property: JsonPropertyName("lora_alpha")] double LoraAlpha,
    [property: JsonPropertyName("lora_dropout")] double LoraDropout,
    [property: JsonPropertyName("target_modules")] IReadOnlyList<string> TargetModules,
    [property: JsonPropertyName("modules_to_save")] IReadOnlyList<string> ModulesToSave,
    [property: JsonPropertyName("base_model_name_or_path")] string? BaseModelNameOrPath)
{
    /// <summary>Always <c>LORA</c>.</summary>
    [JsonPropertyName("peft_type")] public string PeftType => "LORA";

    /// <summary>Biases are not adapted (PEFT's default).</summary>
    [JsonPropertyName("bias")] public string Bias => "none";

    /// <summary>Weights are stored [out, in] as in torch.nn.Linear.</summary>
    [JsonPropertyName("fan_in_fan_out")] public bool FanInFanOut => false;

    /// <summary>Rank-stabilised scaling is not used: scaling = alpha / r.</summary>
    [JsonPropertyName("use_rslora")] public bool UseRsLora => false;

    /// <summary>Written by SharpTune.</summary>
    [JsonPropertyName("library")] public string Library => "SharpTune";

    /// <summary>The update's multiplier alpha / r.</summary>
    [JsonIgnore] public double Scaling => LoraAlpha / R;
}
