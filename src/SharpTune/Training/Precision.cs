namespace SharpTune.Training;

/// <summary>Compute precision of a run.</summary>
public enum Precision
{
    /// <summary>Everything in fp32.</summary>
    Fp32,
    /// <summary>bf16 convolutions and linear layers, fp32 master weights, BatchNorm and loss.</summary>
    Bf16,
}
