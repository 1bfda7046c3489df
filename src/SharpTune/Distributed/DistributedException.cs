namespace SharpTune.Distributed;

/// <summary>The distributed runtime is missing or failed (e.g. no Open MPI library); the message says what to do.</summary>
public sealed class DistributedException(string message) : Exception(message);
