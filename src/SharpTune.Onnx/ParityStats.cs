namespace SharpTune.Onnx;

/// <summary>Accumulates the differences between a converted model's outputs and ONNX Runtime's, input by input.</summary>
internal sealed class ParityStats
{
    private readonly List<double> _diffs = [];
    private double _absSum;
    private long _count;

    /// <summary>Compares one input's outputs; <paramref name="what"/> names them in the error for a length mismatch.</summary>
    public void Add(ReadOnlySpan<float> ours, ReadOnlySpan<float> theirs, string what)
    {
        if (theirs.Length != ours.Length)
            throw new InvalidOperationException($"{what}: ONNX Runtime gives {theirs.Length} values, the converted model {ours.Length}");
        double max = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            max = Math.Max(max, Math.Abs(ours[i] - theirs[i]));
            _absSum += Math.Abs(theirs[i]);
        }
        _count += ours.Length;
        _diffs.Add(max);
    }

    /// <summary>The result so far.</summary>
    public ParityResult Result => new(_diffs, _absSum / Math.Max(1, _count));
}
