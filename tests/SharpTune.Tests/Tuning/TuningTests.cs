using SharpTune.Models;
using SharpTune.Tuning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using ResNet = SharpTune.Models.ResNet;

namespace SharpTune.Tests.Tuning;

public class TuningTests
{
    private static ResNet Tiny(int classes = 3)
    {
        manual_seed(0);
        return ModelZoo.Get("test-resnet").Build(classes);
    }

    [Fact]
    public void The_new_head_is_xavier_uniform_with_zero_bias()
    {
        using var model = Tiny(classes: 10);
        var head = (Linear)model.Classifier;
        HeadInitializer.XavierUniform(head);
        double bound = Math.Sqrt(6.0 / (64 + 10));
        Assert.Equal(new long[] { 10, 64 }, head.weight!.shape);
        // uniform_(−b, b) in float32: b rounds to float (≤ eps/2 of it), then from + u·(to − from) rounds twice more
        // (≤ eps/2 of 2b, then of b): no sample lies beyond b·(1 + 4·eps).
        Assert.True(head.weight.abs().max().item<float>() <= bound * (1 + 4 * Tolerances.EpsF32));
        Assert.True(head.weight.abs().max().item<float>() > bound * 0.8, "values should spread over the Xavier range");
        // Uniform on [-b, b] has standard deviation b/sqrt(3).
        Assert.InRange(head.weight.std().item<float>(), bound / Math.Sqrt(3) * 0.85, bound / Math.Sqrt(3) * 1.15);
        Assert.Equal(0f, head.bias!.abs().sum().item<float>());
    }

    [Fact]
    public void Two_parameter_groups_give_the_head_ten_times_the_learning_rate()
    {
        using var model = Tiny();
        var plan = new FreezePlan(model, FreezeLevel.None);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.BodyAndHead, lr: 5e-5, headLrMult: 10, weightDecay: 1e-3);
        Assert.Equal(["backbone", "head"], groups.Select(g => g.Name));
        Assert.Equal(5e-5, groups[0].LearningRate, 12);
        Assert.Equal(5e-4, groups[1].LearningRate, 12);
        Assert.Equal(2, groups[1].Parameters.Count);
        Assert.Equal(model.parameters().Count() - 2, groups[0].Parameters.Count);

        using var sgd = ParameterGroups.Create(OptimizerKind.Sgd, groups, momentum: 0.9, beta2: 0.99);
        var lrs = sgd.ParamGroups.Select(g => g.LearningRate).ToList();
        Assert.Equal([5e-5, 5e-4], lrs);

        var single = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.One, 5e-4, 10, 1e-3);
        Assert.Equal(model.parameters().Count(), Assert.Single(single).Parameters.Count);
    }

    [Fact]
    public void Adam_beta2_comes_from_the_options_and_reaches_every_group()
    {
        // The recipes' values: fastai's 0.99 for images, BERT's 0.999 for text; --adam-beta2 sets it.
        Assert.Equal(0.99, new SharpTune.Training.FineTuneOptions().AdamBeta2);
        Assert.Equal(0.999, SharpTune.Training.FineTuneOptions.TextRecipe().AdamBeta2);
        var set = SharpTune.Configuration.OptionTable.Find("adam-beta2")!.Apply(new SharpTune.Training.FineTuneOptions(), "0.95", "--adam-beta2");
        Assert.Equal(0.95, set.AdamBeta2);

        using var model = Tiny();
        var groups = ParameterGroups.Build(model, new FreezePlan(model, FreezeLevel.None).TrainableParameters, GroupingKind.BodyAndHead, 1e-3, 10, 0.01);
        using var adam = ParameterGroups.Create(OptimizerKind.AdamW, groups, momentum: 0, beta2: set.AdamBeta2);
        Assert.All(adam.ParamGroups, g => Assert.Equal((0.9, 0.95), ((AdamW.ParamGroup)g).Betas));
    }

    [Fact]
    public void Weight_decay_and_momentum_reach_every_group()
    {
        using var model = Tiny();
        var groups = ParameterGroups.Build(model, new FreezePlan(model, FreezeLevel.None).TrainableParameters, GroupingKind.BodyAndHead, 0.1, 10, weightDecay: 0.5);
        using var sgd = ParameterGroups.Create(OptimizerKind.Sgd, groups, momentum: 0, beta2: 0.99);
        var head = (Linear)model.Classifier;
        var before = head.weight!.clone();
        sgd.zero_grad();
        // Zero loss gradient: the step is weight decay alone, w ← w − lr·wd·w with the head's lr 1.0.
        using (var loss = model.call(zeros(2, 3, 32, 32)).sum() * 0) loss.backward();
        sgd.step();
        // Exact in float32 (w·0.5 and w − 0.5·w round nothing); the tolerance is slack, not an error bound.
        Assert.True(head.weight.allclose(before * (1 - 1.0 * 0.5), rtol: 1e-5, atol: 1e-7));
    }

    [Theory]
    [InlineData(FreezeLevel.Stem, new[] { "conv1", "bn1" })]
    [InlineData(FreezeLevel.Layer2, new[] { "conv1", "bn1", "layer1", "layer2" })]
    [InlineData(FreezeLevel.Backbone, new[] { "conv1", "bn1", "layer1", "layer2", "layer3", "layer4" })]
    public void Frozen_parts_get_no_gradient_keep_BatchNorm_statistics_and_are_not_in_the_optimiser(FreezeLevel level, string[] frozen)
    {
        using var model = Tiny();
        var plan = new FreezePlan(model, level);
        Assert.Equal(frozen, plan.FrozenNames);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.BodyAndHead, 0.1, 10, 0);
        var optimised = groups.SelectMany(g => g.Parameters).ToHashSet();
        var frozenPrefixes = frozen.Select(f => f + ".").ToArray();
        bool IsFrozen(string name) => frozenPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

        var statsBefore = model.state_dict().Where(kv => IsFrozen(kv.Key) && kv.Key.Contains("running_")).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Assert.NotEmpty(statsBefore);
        using var sgd = ParameterGroups.Create(OptimizerKind.Sgd, groups, 0, 0.99);
        plan.SetTrainingMode(true);
        using (var loss = model.call(randn(4, 3, 32, 32)).square().sum()) loss.backward();
        sgd.step();

        foreach (var (name, p) in model.named_parameters())
        {
            Assert.Equal(!IsFrozen(name), p.requires_grad);
            Assert.Equal(!IsFrozen(name), optimised.Contains(p));
            if (IsFrozen(name)) Assert.Null(p.grad);
        }
        var after = model.state_dict();
        foreach (var (key, value) in statsBefore) Assert.True(after[key].allclose(value, rtol: 0, atol: 0), key + " changed");
        // Unfrozen BatchNorm layers do update their statistics.
        if (level != FreezeLevel.Backbone)
            Assert.False(after["layer4.0.bn1.running_mean"].allclose(zeros_like(after["layer4.0.bn1.running_mean"]), rtol: 0, atol: 0));
    }

    [Fact]
    public void Freeze_level_names_parse_case_insensitively()
    {
        Assert.Equal(FreezeLevel.Layer3, FreezeLevels.TryParse("Layer3"));
        Assert.Equal(FreezeLevel.Backbone, FreezeLevels.TryParse("backbone"));
        Assert.Null(FreezeLevels.TryParse("layer5"));
    }

    [Fact]
    public void Head_rows_are_reused_by_name_ignoring_case_dashes_underscores_and_spaces()
    {
        using var model = Tiny(classes: 3);
        var head = (Linear)model.Classifier;
        HeadInitializer.XavierUniform(head);
        var untouched = head.weight![1].clone();
        using var sourceWeight = arange(4 * 64, dtype: ScalarType.Float32).view(4, 64);
        using var sourceBias = tensor(new[] { 10f, 11f, 12f, 13f });
        var reused = HeadRowReuse.Apply(head, ["Hot-Dog", "pizza", "ice_cream"], sourceWeight, sourceBias,
            ["hotdog", "hot dog", "Ice Cream", "banana"]);

        Assert.Equal([(0, 1), (2, 2)], reused.Select(r => (r.TargetIndex, r.SourceIndex)));
        Assert.True(head.weight[0].allclose(sourceWeight[1], rtol: 0, atol: 0));
        Assert.True(head.weight[2].allclose(sourceWeight[2], rtol: 0, atol: 0));
        Assert.Equal(11f, head.bias![0].item<float>());
        Assert.Equal(12f, head.bias[2].item<float>());
        Assert.True(head.weight[1].allclose(untouched, rtol: 0, atol: 0));
    }
}
