namespace SharpTune.Training;

/// <summary>Which weights a run trains.</summary>
public enum TuningMethod
{
    /// <summary>All weights that are not frozen (the recipe's freezing applies).</summary>
    Full,
    /// <summary>LoRA adapters on frozen pretrained weights, plus the new head.</summary>
    Lora,
}
