using Microsoft.ML.OnnxRuntime;
using SharpTune.Export;
using SharpTune.Inference;
using SharpTune.Models.Bert;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Onnx;

/// <summary>The text half: an exported BERT classifier against its run's TorchSharp model.</summary>
public static partial class OnnxExportVerifier
{
    private static readonly string[] Sentences =
    [
        "WIN a FREE cruise now!!! Click here to claim your prize.",
        "Are we still meeting for lunch tomorrow?",
        "ok",
        "The quarterly report is attached; please review the figures before Friday's meeting with the finance team.",
        "Cheap pills, no prescription needed, discreet shipping worldwide.",
        "Can you send me the notes from the project meeting?",
        "Congratulations! You have been selected for a $1000 gift card. Reply YES to receive it today, offer ends soon, terms apply.",
        "the build is green again",
    ];

    /// <summary>Deterministic test sentences of very different lengths (some longer than a short max-length).</summary>
    public static List<string> SampleTexts(int count) => Enumerable.Range(0, count).Select(i => Sentences[i % Sentences.Length]).ToList();

    /// <summary>
    /// Encodes <paramref name="texts"/> as the run does (tokeniser, max-length, truncation) and runs them through
    /// <paramref name="model"/> and the ONNX file: once as one padded batch, then each text alone without padding
    /// (compared with its row of the padded TorchSharp batch, so padding must not matter either). Per text, the
    /// largest difference of logits and probabilities; the mean |logit| is the scale.
    /// </summary>
    /// <exception cref="WeightsException">The file's classes differ from the run's, or it is not a text classifier.</exception>
    public static ParityResult VerifyText(TextClassifier model, string onnxPath, IReadOnlyList<string> texts, int? threads = null)
    {
        using var options = new SessionOptions();
        if (threads is int n) options.IntraOpNumThreads = n;
        using var session = new InferenceSession(onnxPath, options);
        var metadata = OnnxTextClassifierMetadata.Parse(session.ModelMetadata.CustomMetadataMap, onnxPath);
        if (!metadata.Classes.SequenceEqual(model.Classes))
            throw new WeightsException($"{onnxPath}: classes [{string.Join(", ", metadata.Classes)}] differ from the run's [{string.Join(", ", model.Classes)}]");

        var encoded = texts.Select(t => model.Encoder.Encode(t, model.Info.MaxLength, model.Info.TruncationRule)).ToList();
        var (ids, mask) = Pad(encoded, model.Info.Bert.PadTokenId);
        var (ours, oursP) = TorchSharpOutputs(model.Module, ids, mask);

        var diffs = new double[texts.Count];
        double absSum = 0;
        long count = 0;
        var batched = RunTextGraph(session, ids, mask);
        Accumulate(ours, oursP, batched, 0, texts.Count, diffs, 0, ref absSum, ref count);
        for (int i = 0; i < texts.Count; i++)
        {
            var (oneIds, oneMask) = Pad([encoded[i]], model.Info.Bert.PadTokenId);
            var single = RunTextGraph(session, oneIds, oneMask);
            Accumulate(ours, oursP, single, i, 1, diffs, i, ref absSum, ref count);
        }
        return new ParityResult(diffs, absSum / Math.Max(1, count));
    }

    /// <summary>Token ids and attention mask [N, L] of <paramref name="sequences"/>, padded to the longest with <paramref name="padId"/>.</summary>
    public static (long[,] Ids, long[,] Mask) Pad(IReadOnlyList<int[]> sequences, int padId, int? length = null)
    {
        int l = length ?? sequences.Max(s => s.Length);
        var ids = new long[sequences.Count, l];
        var mask = new long[sequences.Count, l];
        for (int i = 0; i < sequences.Count; i++)
            for (int j = 0; j < l; j++)
            {
                bool real = j < sequences[i].Length;
                ids[i, j] = real ? sequences[i][j] : padId;
                mask[i, j] = real ? 1 : 0;
            }
        return (ids, mask);
    }

    /// <summary>Logits and softmax of the TorchSharp classifier (eval mode) for ids and mask [N, L].</summary>
    public static (float[,] Logits, float[,] Probabilities) TorchSharpOutputs(BertForSequenceClassification model, long[,] ids, long[,] mask)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var input = BertForSequenceClassification.Pack(tensor(ids), tensor(mask));
        var logits = model.call(input);
        return (ToMatrix(logits), ToMatrix(nn.functional.softmax(logits, 1)));
    }

    /// <summary>Both outputs of an exported text classifier for ids and mask [N, L] (ONNX Runtime, OrtValue inputs).</summary>
    public static (float[,] Logits, float[,] Probabilities) RunTextGraph(InferenceSession session, long[,] ids, long[,] mask)
    {
        long[] shape = [ids.GetLength(0), ids.GetLength(1)];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids.Cast<long>().ToArray(), shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask.Cast<long>().ToArray(), shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions,
            [OnnxTextClassifierMetadata.InputIdsName, OnnxTextClassifierMetadata.AttentionMaskName], [idsValue, maskValue],
            [OnnxClassifierMetadata.LogitsOutput, OnnxClassifierMetadata.ProbabilitiesOutput]);
        return (ToMatrix(results[0]), ToMatrix(results[1]));
    }

    private static float[,] ToMatrix(OrtValue value)
    {
        var shape = value.GetTensorTypeAndShape().Shape;
        var data = value.GetTensorDataAsSpan<float>();
        var result = new float[shape[0], shape[1]];
        for (int r = 0; r < shape[0]; r++)
            for (int c = 0; c < shape[1]; c++)
                result[r, c] = data[(int)(r * shape[1] + c)];
        return result;
    }

    private static float[,] ToMatrix(Tensor t)
    {
        var data = t.contiguous().data<float>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var result = new float[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r, c] = data[r * columns + c];
        return result;
    }
}
