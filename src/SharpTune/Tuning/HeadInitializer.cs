using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning;

/// <summary>Initialises a new classification head the way the d2l recipe does: Xavier-uniform weight, zero bias.</summary>
public static class HeadInitializer
{
    /// <summary>Re-initialises <paramref name="head"/> in place (uses the global torch RNG: seed it first).</summary>
    public static void XavierUniform(Linear head)
    {
        using var noGrad = no_grad();
        nn.init.xavier_uniform_(head.weight);
        if (head.bias is not null) nn.init.zeros_(head.bias);
    }
}
