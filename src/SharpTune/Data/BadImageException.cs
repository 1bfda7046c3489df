namespace SharpTune.Data;

/// <summary>Raised inside the data layer when one file cannot be used; callers turn it into a <see cref="BadImage"/>.</summary>
internal sealed class BadImageException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
