using SharpTune.Models;
using SharpTune.Models.Bert;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Text;

public class BertModelTests
{
    [Fact]
    public void Encoder_and_classifier_produce_the_expected_shapes_and_HF_parameter_names()
    {
        manual_seed(1);
        using var model = new BertForSequenceClassification(TinyBert.Config, numClasses: 3, TextPooling.Cls);
        using var source = TinyBert.Source(6, 6, seed: 1).Epoch(0).Single();
        using var logits = model.call(source.Inputs);
        Assert.Equal([6L, 3L], logits.shape);
        using var features = model.ForwardFeatures(source.Inputs);
        Assert.Equal([6L, 32L], features.shape);

        var keys = model.state_dict().Keys.ToHashSet();
        foreach (var key in new[]
        {
            "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
            "bert.embeddings.LayerNorm.weight", "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.key.bias",
            "bert.encoder.layer.1.attention.self.value.weight", "bert.encoder.layer.0.attention.output.dense.weight",
            "bert.encoder.layer.0.attention.output.LayerNorm.bias", "bert.encoder.layer.1.intermediate.dense.weight",
            "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.LayerNorm.weight", "bert.pooler.dense.weight",
            "classifier.weight", "classifier.bias",
        })
            Assert.Contains(key, keys);
        Assert.Equal(2 * 16 + 5 + 2 + 2, keys.Count); // 16 per layer, 5 embeddings, pooler, classifier
    }

    [Theory]
    [InlineData(TextPooling.Cls)]
    [InlineData(TextPooling.Mean)]
    public void Padding_tokens_do_not_change_the_outputs_of_real_tokens(TextPooling pooling)
    {
        manual_seed(2);
        using var model = new BertForSequenceClassification(TinyBert.Config, 2, pooling);
        model.eval();
        using var noGrad = no_grad();
        using var ids = TinyBert.Ids(1, 11, 12, 13, 2);
        using var padded = TinyBert.Ids(1, 11, 12, 13, 2, 0, 0, 0);
        using var mask = ones(1, 5, dtype: ScalarType.Int64);
        using var paddedMask = tensor(new long[] { 1, 1, 1, 1, 1, 0, 0, 0 }, [1, 8]);

        using var hidden = model.Bert.call(ids, mask);
        using var paddedHidden = model.Bert.call(padded, paddedMask);
        // The masked keys get weight exactly 0, but products over 8 tokens instead of 5 block and round otherwise:
        // Tolerances.Forward, relative to the largest value compared.
        var config = TinyBert.Config;
        int k = Tolerances.LongestReduction(config, 8);
        Tolerances.Within(Tolerances.MaxAbsDiff(hidden, paddedHidden[.., ..5]), Tolerances.Forward(Tolerances.MaxAbs(hidden), Tolerances.Depth(config), k),
            $"{pooling}: real tokens' states with and without padding");
        using var logits = model.call(BertForSequenceClassification.Pack(ids, mask));
        using var paddedLogits = model.call(BertForSequenceClassification.Pack(padded, paddedMask));
        Tolerances.Within(Tolerances.MaxAbsDiff(logits, paddedLogits), Tolerances.Forward(Tolerances.MaxAbs(logits), Tolerances.Depth(config), k),
            $"{pooling}: logits with and without padding");

        // Without the mask the padding is attended to, and the outputs differ: the mask is what protects them.
        using var unmasked = model.Bert.call(padded, ones(1, 8, dtype: ScalarType.Int64));
        Assert.False(hidden.allclose(unmasked[.., ..5], rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Every_trainable_parameter_gets_a_gradient_and_the_head_can_be_reset()
    {
        manual_seed(3);
        using var model = new BertForSequenceClassification(TinyBert.Config, 2, TextPooling.Cls);
        using var batch = TinyBert.Source(4, 4, seed: 3).Epoch(0).Single();
        using var loss = nn.functional.cross_entropy(model.call(batch.Inputs), batch.Labels);
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name);
        model.ResetClassifier(5);
        Assert.Equal(5, model.NumClasses);
        using var logits = model.call(batch.Inputs);
        Assert.Equal([4L, 5L], logits.shape);
    }

    [Fact]
    public void A_Hugging_Face_checkpoint_folder_round_trips_config_and_weights()
    {
        using var dir = new TempDirectory();
        manual_seed(4);
        using var source = new BertModel(TinyBert.Config);
        // A bare BertModel, as sentence-transformers saves it: keys without the "bert." prefix.
        HuggingFaceCheckpoint.Write(dir.Path, TinyBert.Config, source.state_dict(), vocab: "[PAD]\n[UNK]\n"u8.ToArray());
        Assert.True(File.Exists(dir.File("config.json")) && File.Exists(dir.File("model.safetensors")));
        Assert.Contains("\"num_hidden_layers\": 2", File.ReadAllText(dir.File("config.json")));

        var read = HuggingFaceCheckpoint.Read(dir.Path);
        Assert.Equal(TinyBert.Config, read.Config);
        Assert.Equal(dir.File("vocab.txt"), read.VocabFile);
        Assert.All(read.Tensors.Keys, k => Assert.StartsWith("bert.", k));
        foreach (var t in read.Tensors.Values) t.Dispose();

        // Through the zoo: --weights DIR replaces the entry's shape and vocabulary.
        var setup = TextModels.Create(ModelZoo.Get("test-bert"), 2, TextPooling.Mean, pretrained: true, weights: dir.Path);
        using var loaded = setup.Model;
        Assert.Equal(TinyBert.Config, setup.Config);
        Assert.Empty(setup.Load!.Missing);
        Assert.Equal(source.state_dict().Count, setup.Load.Loaded.Count); // every encoder tensor; the new head stays as initialised
        source.eval();
        loaded.eval();
        using var noGrad = no_grad();
        using var ids = TinyBert.Ids(1, 40, 41, 42, 2);
        using var mask = ones(1, 5, dtype: ScalarType.Int64);
        using var expected = source.call(ids, mask);
        using var actual = loaded.Bert.call(ids, mask);
        // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void A_config_json_of_another_architecture_is_refused_naming_the_key()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("config.json"), """{"model_type": "bert", "hidden_act": "gelu_new", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16}""");
        var e = Assert.Throws<WeightsException>(() => HuggingFaceCheckpoint.ReadConfig(dir.File("config.json")));
        Assert.Contains("hidden_act", e.Message);
    }
}
