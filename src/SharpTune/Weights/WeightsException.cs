namespace SharpTune.Weights;

/// <summary>A weights or model file that cannot be used: missing, corrupt, or for another architecture.</summary>
public sealed class WeightsException : Exception
{
    /// <summary>Creates the exception; the message names the file and, where known, the tensor.</summary>
    public WeightsException(string message, Exception? inner = null) : base(message, inner) { }
}
