namespace SharpTune.Training;

/// <summary>Optimisers a text run can use.</summary>
public enum OptimizerKind
{
    /// <summary>SGD (with <c>--momentum</c>).</summary>
    Sgd,
    /// <summary>AdamW (decoupled weight decay; BERT's optimiser).</summary>
    AdamW,
}
