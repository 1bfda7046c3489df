namespace SharpTune.Onnx;

/// <summary>How <see cref="OnnxClassifier"/> sets up its ONNX Runtime session.</summary>
/// <param name="Threads">Intra-op threads; null: ONNX Runtime's default (one per core).</param>
/// <param name="AllowSpinning">
/// Whether idle intra-op threads spin-wait for work (ONNX Runtime's default: lower latency on a quiet machine, wasted
/// cores on a busy one, like libgomp's active wait for libtorch).
/// </param>
public sealed record OnnxClassifierOptions(int? Threads = null, bool AllowSpinning = true);
