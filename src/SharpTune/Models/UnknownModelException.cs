namespace SharpTune.Models;

/// <summary>A model name that the zoo does not know; the message lists the known names.</summary>
public sealed class UnknownModelException(string message) : ArgumentException(message);
