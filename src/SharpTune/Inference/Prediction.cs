namespace SharpTune.Inference;

/// <summary>One class and its probability.</summary>
/// <param name="Class">Class name.</param>
/// <param name="Index">Class index (output position).</param>
/// <param name="Probability">Softmax probability.</param>
public sealed record Prediction(string Class, int Index, float Probability);
