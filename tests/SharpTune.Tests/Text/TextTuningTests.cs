using SharpTune.Models.Bert;
using SharpTune.Training;
using SharpTune.Tuning;
using static TorchSharp.torch;

namespace SharpTune.Tests.Text;

public class TextTuningTests
{
    [Fact]
    public void Layer_wise_decay_gives_each_layer_xi_times_the_rate_of_the_layer_above()
    {
        manual_seed(5);
        using var model = new BertForSequenceClassification(TinyBert.Config, 2, TextPooling.Cls);
        var plan = new FreezePlan(model, "none");
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.LayerDecay, lr: 1e-3, headLrMult: 10, weightDecay: 0.01, layerDecay: 0.5);
        double Lr(string name) => groups.Single(g => g.Name == name).LearningRate;
        Assert.Equal(1e-3 * 0.25, Lr("embeddings"), 12);   // ξ^L, L = 2
        Assert.Equal(1e-3 * 0.5, Lr("layer0"), 12);
        Assert.Equal(1e-3, Lr("layer1"), 12);              // top layer: the base rate
        Assert.Equal(1e-3, Lr("pooler"), 12);
        Assert.Equal(1e-2, Lr("classifier"), 12);          // head multiplier
        Assert.Equal(0.01, groups.Single(g => g.Name == "layer0").WeightDecay);
        Assert.Equal(0, groups.Single(g => g.Name == "layer0/no-decay").WeightDecay); // biases and LayerNorm
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count));

        var flat = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.One, 1e-3, 1, 0.01);
        Assert.All(flat, g => Assert.Equal(1e-3, g.LearningRate));
        Assert.Equal(["all", "all/no-decay"], flat.Select(g => g.Name));
    }

    [Theory]
    [InlineData("embeddings", new[] { "bert.embeddings" })]
    [InlineData("layer1", new[] { "bert.embeddings", "bert.encoder.layer.0" })]
    [InlineData("backbone", new[] { "bert.embeddings", "bert.encoder.layer.0", "bert.encoder.layer.1", "bert.pooler" })]
    public void Freezing_the_lower_layers_leaves_them_out_of_the_trainable_parameters(string target, string[] frozen)
    {
        using var model = new BertForSequenceClassification(TinyBert.Config, 2, TextPooling.Cls);
        var plan = new FreezePlan(model, target);
        Assert.Equal(frozen, plan.FrozenNames);
        var trainable = plan.TrainableParameters.Select(p => p.Name).ToList();
        Assert.DoesNotContain(trainable, n => frozen.Any(f => n.StartsWith(f + ".", StringComparison.Ordinal)));
        Assert.Contains("classifier.weight", trainable);
        Assert.Throws<ArgumentException>(() => new FreezePlan(model, "layer3"));
    }

    [Fact]
    public void Warmup_then_linear_decay_has_the_documented_values()
    {
        using var model = nn.Linear(2, 2);
        using var optimizer = optim.AdamW(model.parameters(), lr: 0.1);
        var linear = new SharpTune.Training.Schedules.LinearWarmupDecaySchedule(0.1);
        Assert.Equal(2, linear.WarmupSteps(20));
        Assert.Equal(0.5, linear.Factor(0, 20));    // (0 + 1) / 2
        Assert.Equal(1.0, linear.Factor(1, 20));
        Assert.Equal(1.0, linear.Factor(2, 20));    // first step after warm-up: (20 - 2) / 18
        Assert.Equal(0.5, linear.Factor(11, 20));   // (20 - 11) / 18
        Assert.Equal(1 / 18.0, linear.Factor(19, 20), 12);
        var schedule = new SharpTune.Training.Schedules.LrScheduler(optimizer, [0.1], linear, firstEpoch: 1, stepsPerEpoch: 10, totalSteps: 20);

        // Epoch 2, step 2 of 10 per epoch is global step 11: the group's rate is 0.1 × 0.5.
        schedule.BeforeOptimizerStep(new StepProgress(2, 2, 10, 0, 1));
        Assert.Equal(0.05, optimizer.ParamGroups.Single().LearningRate, 12);
    }

    [Fact]
    public void Gradient_clipping_caps_the_global_norm()
    {
        using var model = nn.Linear(4, 1);
        using var loss = (model.call(ones(8, 4) * 100)).sum();
        loss.backward();
        var clip = new GradientClipping(model.parameters().ToList(), maxNorm: 1.0);
        clip.BeforeOptimizerStep(new StepProgress(1, 1, 1, 0, 8));
        Assert.True(clip.LastNorm > 1);
        var norm = Math.Sqrt(model.parameters().Sum(p => p.grad!.pow(2).sum().item<float>()));
        Assert.InRange(norm, 0.99, 1.01);
    }
}
