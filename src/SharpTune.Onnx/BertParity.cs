using Microsoft.ML.OnnxRuntime;
using SharpTune.Models.Bert;
using static TorchSharp.torch;

namespace SharpTune.Onnx;

/// <summary>Checks a converted BERT encoder against the ONNX graph it came from, with ONNX Runtime as the reference.</summary>
public static class BertParity
{
    /// <summary>
    /// Runs each input (ids with [CLS]/[SEP], one sequence per call, no padding) through <paramref name="model"/> and
    /// through the ONNX model (inputs <c>input_ids</c>, <c>attention_mask</c>, <c>token_type_ids</c>) and compares the
    /// last hidden states.
    /// </summary>
    public static ParityResult Check(BertModel model, byte[] onnxModel, IReadOnlyList<int[]> inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = get_num_threads() };
        using var session = new InferenceSession(onnxModel, options);
        var output = session.OutputNames.Contains("last_hidden_state") ? "last_hidden_state" : session.OutputNames[0];
        model.eval();
        var stats = new ParityStats();
        foreach (var input in inputs)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var ids = input.Select(i => (long)i).ToArray();
            var ones = Enumerable.Repeat(1L, ids.Length).ToArray();
            var zeros = new long[ids.Length];
            long[] shape = [1, ids.Length];
            var ours = model.call(tensor(ids, shape), tensor(ones, shape)).flatten().data<float>().ToArray();

            var feeds = new Dictionary<string, OrtValue>
            {
                ["input_ids"] = OrtValue.CreateTensorValueFromMemory(ids, shape),
                ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(ones, shape),
                ["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(zeros, shape),
            };
            var names = session.InputNames.ToList();
            using var results = session.Run(new RunOptions(), names, names.Select(n => feeds[n]).ToList(), [output]);
            foreach (var v in feeds.Values) v.Dispose();
            stats.Add(ours, results[0].GetTensorDataAsSpan<float>(), $"output '{output}'");
        }
        return stats.Result;
    }
}
