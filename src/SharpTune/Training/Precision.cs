namespace SharpTune.Training;

/// <summary>Compute precision of a run.</summary>
public enum Precision
{
    /// <summary>Everything in fp32.</summary>
    Fp32,
    /// <summary>bf16 convolutions and linear layers, fp32 master weights, BatchNorm and loss; needs a CPU with native bf16.</summary>
    Bf16,
    /// <summary>
    /// <see cref="Bf16"/> even where the CPU has no native bf16 (libtorch then emulates it, about ten times slower than
    /// fp32): for checking results, never for speed.
    /// </summary>
    Bf16Force,
}

/// <summary>Names and meanings of <see cref="Precision"/> values.</summary>
public static class Precisions
{
    /// <summary>True for both bf16 settings.</summary>
    public static bool IsBf16(this Precision p) => p is Precision.Bf16 or Precision.Bf16Force;

    /// <summary>The option value: <c>fp32</c>, <c>bf16</c>, <c>bf16-force</c>.</summary>
    public static string Name(this Precision p) => p switch
    {
        Precision.Bf16Force => "bf16-force",
        _ => p.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses an option value; throws <see cref="FormatException"/> with the accepted names.</summary>
    public static Precision Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        "bf16-force" => Precision.Bf16Force,
        _ => throw new FormatException("is not one of fp32|bf16|bf16-force"),
    };
}
