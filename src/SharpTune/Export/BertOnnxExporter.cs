using System.Reflection;
using Onnx;
using SharpTune.Models.Bert;
using static SharpTune.Export.OnnxGraphBuilder;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SharpTune.Export;

/// <summary>
/// Writes a SharpTune <see cref="BertForSequenceClassification"/> (post-LayerNorm BERT, exact GELU) as a standard
/// ONNX graph (opset 17 or later, for <c>LayerNormalization</c>) with dynamic batch and sequence length:
/// inputs <c>input_ids</c> and <c>attention_mask</c> (int64 [batch, sequence]), outputs <c>logits</c> and
/// <c>probabilities</c> [batch, classes].
/// Embeddings are Gather (words), Slice (positions 0…L−1) and Gather of row 0 (token type 0), added and normalised;
/// each layer is MatMul (against a Transpose of the PyTorch weight) + Add for the projections, Reshape/Transpose
/// into heads, MatMul, Mul by 1/√d, Add of the additive mask (<c>(1 − mask) · −1e9</c>, [batch, 1, 1, sequence]),
/// Softmax, MatMul, then residual Add + LayerNormalization, and the feed-forward block with
/// <c>x · 0.5 · (1 + Erf(x / √2))</c>. Pooling is the masked mean of the last hidden state, or the [CLS] vector
/// through the pooler (Gemm + Tanh); the classifier is a Gemm and <c>probabilities</c> its Softmax. Dropout is
/// left out (inference). Initializers keep their PyTorch state-dict names and shapes (<c>bert.encoder.layer.0.attention.self.query.weight</c>);
/// every parameter the forward pass uses must be written exactly once, so an unknown module is refused instead of
/// exported wrongly.
/// </summary>
public static class BertOnnxExporter
{
    /// <summary>Lowest opset the graph needs (<c>LayerNormalization</c>).</summary>
    public const int MinOpset = 17;

    /// <summary>Builds the ONNX model of <paramref name="model"/> with <paramref name="metadata"/> in its <c>metadata_props</c>.</summary>
    /// <exception cref="ArgumentException">Options or metadata that do not fit a BERT text classifier.</exception>
    public static ModelProto Build(BertForSequenceClassification model, OnnxTextClassifierMetadata metadata, OnnxExportOptions options)
    {
        options.Validate();
        if (options.Opset < MinOpset)
            throw new ArgumentException($"BERT export needs opset {MinOpset} or later (LayerNormalization), got {options.Opset}", nameof(options));
        if (options.IncludePreprocessing)
            throw new ArgumentException("a text classifier has no image preprocessing to include; tokenise as its metadata say", nameof(options));
        if (metadata.Classes.Count != model.NumClasses)
            throw new ArgumentException($"metadata names {metadata.Classes.Count} classes, the model has {model.NumClasses}", nameof(metadata));
        if (metadata.Pooling != model.Pooling)
            throw new ArgumentException($"metadata pooling {metadata.Pooling} differs from the model's {model.Pooling}", nameof(metadata));

        var config = model.Bert.Config;
        var w = new Writer(model);
        var g = w.Graph;
        var ids = g.Input(OnnxTextClassifierMetadata.InputIdsName, DataType.Int64, "batch", "sequence");
        var mask = g.Input(OnnxTextClassifierMetadata.AttentionMaskName, DataType.Int64, "batch", "sequence");

        // Embeddings: word + token type 0 + position, then LayerNorm (the TorchSharp order of additions).
        var word = g.Node("embeddings.word", "Gather", [w.Parameter("bert.embeddings.word_embeddings.weight"), ids], IntAttr("axis", 0));
        var type0 = g.Node("embeddings.token_type_0", "Gather",
            [w.Parameter("bert.embeddings.token_type_embeddings.weight"), g.Initializer("const.zero_index", new long[] { 0 })], IntAttr("axis", 0));
        var idsShape = g.Node("embeddings.ids_shape", "Shape", [ids]);
        var length = g.Node("embeddings.length", "Gather", [idsShape, g.Initializer("const.index_1", new long[] { 1 }, 1)], IntAttr("axis", 0));
        var positions = g.Node("embeddings.position", "Slice",
            [w.Parameter("bert.embeddings.position_embeddings.weight"), g.Initializer("const.start_0", new long[] { 0 }, 1), length,
             g.Initializer("const.axis_0", new long[] { 0 }, 1)]);
        var x = g.Node("embeddings.add_type", "Add", [word, type0]);
        x = g.Node("embeddings.add_position", "Add", [x, positions]);
        x = w.LayerNorm("bert.embeddings.LayerNorm", x, config.LayerNormEps);

        // Additive attention mask [batch, 1, 1, sequence]: 0 for tokens, MaskedScore for padding.
        var maskFloat = g.Node("mask.float", "Cast", [mask], IntAttr("to", (long)DataType.Float));
        var keep = g.Node("mask.unsqueeze", "Unsqueeze", [maskFloat, g.Initializer("const.axes_1_2", new long[] { 1, 2 }, 2)]);
        var one = g.Initializer("const.one", new[] { 1f });
        var drop = g.Node("mask.inverse", "Sub", [one, keep]);
        var additive = g.Node("mask.additive", "Mul", [drop, g.Initializer("const.masked_score", new[] { BertModel.MaskedScore })]);

        var headsShape = g.Initializer("const.heads_shape", new long[] { 0, 0, config.NumAttentionHeads, config.HeadSize }, 4);
        var mergedShape = g.Initializer("const.merged_shape", new long[] { 0, 0, config.HiddenSize }, 3);
        var scale = g.Initializer("const.attention_scale", new[] { (float)(1.0 / Math.Sqrt(config.HeadSize)) });
        var half = g.Initializer("const.half", new[] { 0.5f });
        var invSqrt2 = g.Initializer("const.sqrt2", new[] { (float)Math.Sqrt(2.0) });
        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            string p = $"bert.encoder.layer.{i}";
            // Self-attention.
            string Heads(string name, long[] perm) =>
                g.Node($"{p}.attention.self.{name}.heads", "Transpose",
                    [g.Node($"{p}.attention.self.{name}.reshape", "Reshape", [w.Linear($"{p}.attention.self.{name}", x), headsShape])],
                    IntsAttr("perm", perm));
            var q = Heads("query", [0, 2, 1, 3]);   // [B, h, L, d]
            var kT = Heads("key", [0, 2, 3, 1]);    // [B, h, d, L]
            var v = Heads("value", [0, 2, 1, 3]);   // [B, h, L, d]
            var scores = g.Node($"{p}.attention.self.scores", "MatMul", [q, kT]);
            scores = g.Node($"{p}.attention.self.scaled", "Mul", [scores, scale]);
            scores = g.Node($"{p}.attention.self.masked", "Add", [scores, additive]);
            var probs = g.Node($"{p}.attention.self.softmax", "Softmax", [scores], IntAttr("axis", -1));
            var context = g.Node($"{p}.attention.self.context", "MatMul", [probs, v]);
            context = g.Node($"{p}.attention.self.context_t", "Transpose", [context], IntsAttr("perm", 0, 2, 1, 3));
            context = g.Node($"{p}.attention.self.merge", "Reshape", [context, mergedShape]);
            var attended = w.Residual($"{p}.attention.output", context, x, config.LayerNormEps);

            // Feed-forward with exact GELU: h * 0.5 * (1 + erf(h / sqrt 2)).
            var h = w.Linear($"{p}.intermediate.dense", attended);
            var erf = g.Node($"{p}.intermediate.erf", "Erf", [g.Node($"{p}.intermediate.div_sqrt2", "Div", [h, invSqrt2])]);
            var gate = g.Node($"{p}.intermediate.one_plus_erf", "Add", [erf, one]);
            var gelu = g.Node($"{p}.intermediate.gelu", "Mul", [g.Node($"{p}.intermediate.half", "Mul", [h, half]), gate]);
            x = w.Residual($"{p}.output", gelu, attended, config.LayerNormEps);
        }

        string features;
        if (model.Pooling == TextPooling.Cls)
        {
            var cls = g.Node("pool.cls", "Gather", [x, g.Initializer("const.cls_index", new long[] { 0 })], IntAttr("axis", 1));
            features = g.Node("pool.tanh", "Tanh", [w.Gemm("bert.pooler.dense", cls)]);
        }
        else
        {
            var tokenMask = g.Node("pool.mask", "Unsqueeze", [maskFloat, g.Initializer("const.axes_last", new long[] { -1 }, 1)]); // [B, L, 1]
            var axis1 = g.Initializer("const.axes_1", new long[] { 1 }, 1);
            var summed = g.Node("pool.sum", "ReduceSum", [g.Node("pool.masked", "Mul", [x, tokenMask]), axis1], IntAttr("keepdims", 0));
            var counts = g.Node("pool.count", "ReduceSum", [tokenMask, axis1], IntAttr("keepdims", 0)); // [B, 1]
            counts = g.Node("pool.count_min", "Max", [counts, g.Initializer("const.min_count", new[] { 1e-9f })]);
            features = g.Node("pool.mean", "Div", [summed, counts]);
        }
        var logits = w.Gemm("classifier", features, OnnxClassifierMetadata.LogitsOutput);
        var probabilities = g.Node(OnnxClassifierMetadata.ProbabilitiesOutput, "Softmax", [logits], IntAttr("axis", 1));
        g.Output(logits, DataType.Float, "batch", model.NumClasses);
        g.Output(probabilities, DataType.Float, "batch", model.NumClasses);
        w.CheckEverythingUsed(model.Pooling == TextPooling.Cls ? [] : ["bert.pooler."]);

        var version = typeof(BertOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var doc = $"SharpTune {metadata.Model} (bert) text classifier, {metadata.Classes.Count} classes: " +
                  $"{string.Join(", ", metadata.Classes.Take(20))}{(metadata.Classes.Count > 20 ? ", …" : "")}. " + metadata.Describe();
        return g.ToModel(options.Opset, version, metadata.ToProperties(), doc);
    }

    /// <summary>Graph under construction plus the model's state dict, tracking which entries have been written.</summary>
    private sealed class Writer
    {
        private readonly Dictionary<string, Tensor> _state;
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Writer(BertForSequenceClassification model)
        {
            _state = model.state_dict();
            Graph = new OnnxGraphBuilder("sharptune_bert");
        }

        public OnnxGraphBuilder Graph { get; }

        /// <summary>The state-dict entry <paramref name="name"/> as an initializer of the same name (once).</summary>
        public string Parameter(string name)
        {
            if (!_state.TryGetValue(name, out var value)) throw new InvalidOperationException($"BERT export: no parameter '{name}'");
            if (value.dtype != ScalarType.Float32) throw new InvalidOperationException($"BERT export: '{name}' is {value.dtype}; only float32 models are exported");
            if (!_used.Add(name)) throw new InvalidOperationException($"BERT export: parameter '{name}' used twice");
            return Graph.Initializer(name, value);
        }

        /// <summary><c>x @ weightᵀ + bias</c> for a PyTorch Linear <paramref name="module"/> (MatMul against a Transpose, then Add).</summary>
        public string Linear(string module, string x)
        {
            var weightT = Graph.Node(module + ".weight_t", "Transpose", [Parameter(module + ".weight")], IntsAttr("perm", 1, 0));
            var y = Graph.Node(module + ".matmul", "MatMul", [x, weightT]);
            return Graph.Node(module + ".add_bias", "Add", [y, Parameter(module + ".bias")]);
        }

        /// <summary>A 2-D Linear as one Gemm (<c>transB</c>); the output is called <paramref name="output"/> (default: the module name).</summary>
        public string Gemm(string module, string x, string? output = null) =>
            Graph.Node(output ?? module, "Gemm", [x, Parameter(module + ".weight"), Parameter(module + ".bias")], IntAttr("transB", 1));

        /// <summary>LayerNormalization over the last axis with the module's weight and bias.</summary>
        public string LayerNorm(string module, string x, double eps) =>
            Graph.Node(module, "LayerNormalization", [x, Parameter(module + ".weight"), Parameter(module + ".bias")],
                IntAttr("axis", -1), FloatAttr("epsilon", (float)eps));

        /// <summary><c>LayerNorm(dense(x) + residual)</c> (HF's <c>BertSelfOutput</c>/<c>BertOutput</c>).</summary>
        public string Residual(string module, string x, string residual, double eps)
        {
            var sum = Graph.Node(module + ".residual", "Add", [Linear(module + ".dense", x), residual]);
            return LayerNorm(module + ".LayerNorm", sum, eps);
        }

        /// <summary>Refuses a model with state-dict entries the graph does not contain (other than those under <paramref name="unusedPrefixes"/>).</summary>
        public void CheckEverythingUsed(IReadOnlyList<string> unusedPrefixes)
        {
            var unused = _state.Keys
                .Where(k => !_used.Contains(k) && !unusedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal)))
                .ToList();
            if (unused.Count > 0)
                throw new InvalidOperationException($"BERT export: parameters not in the exported graph: {string.Join(", ", unused)}");
        }
    }
}
