using SharpTune.Models;
using SharpTune.Training;
using SharpTune.Training.Schedules;
using SharpTune.Tuning;
using static TorchSharp.torch;

namespace SharpTune.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void Constant_and_step_schedules()
    {
        Assert.Equal(1, new ConstantSchedule().Factor(77, 100));
        var step = new StepSchedule(StepEvery: 10, Gamma: 0.1);
        Assert.Equal(1, step.Factor(9, 100), 12);
        Assert.Equal(0.1, step.Factor(10, 100), 12);
        Assert.Equal(0.01, step.Factor(25, 100), 12);
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_decays_to_zero()
    {
        var cosine = new CosineSchedule(WarmupSteps: 10);
        Assert.Equal(0.1, cosine.Factor(0, 110), 12);
        Assert.Equal(0.5, cosine.Factor(4, 110), 12);
        Assert.Equal(1.0, cosine.Factor(10, 110), 12);
        Assert.Equal(0.5, cosine.Factor(60, 110), 12);   // half-way through the decay
        Assert.Equal(0.0, cosine.Factor(110, 110), 12);
        Assert.Equal(1.0, new CosineSchedule().Factor(0, 50), 12);
    }

    [Fact]
    public void One_cycle_follows_fastai()
    {
        var oc = new OneCycleSchedule(PctStart: 0.25, Div: 25, DivFinal: 1e5);
        Assert.Equal(1 / 25.0, oc.Factor(0, 100), 12);
        Assert.Equal(1.0, oc.Factor(25, 100), 12);                         // the peak at pct_start
        Assert.Equal((1 + 1 / 25.0) / 2, oc.Factor(25, 200), 12);          // half-way up: warmup is 50 of 200 steps
        Assert.Equal(1 / 25.0 / 1e5, oc.Factor(100, 100), 12);
        Assert.Equal(0.95, oc.Momentum(0, 100)!.Value, 12);
        Assert.Equal(0.85, oc.Momentum(25, 100)!.Value, 12);
        Assert.Equal(0.95, oc.Momentum(100, 100)!.Value, 12);
        Assert.Null(new ConstantSchedule().Momentum(3, 10));
    }

    [Fact]
    public void Discriminative_rates_spread_geometrically_from_stem_to_head_and_layer_decay_multiplies()
    {
        using var model = ModelZoo.Get("test-resnet").Build(2);
        var plan = new FreezePlan(model, FreezeLevel.None);
        var groups = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.Discriminative, 1e-3, 1, 0, lowLr: 1e-5);
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "layer4", "head"], groups.Select(g => g.Name));
        for (int i = 0; i < 6; i++) Assert.Equal(1e-5 * Math.Pow(100, i / 5.0), groups[i].LearningRate, 15);
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Parameters.Count));

        // Layer-wise decay: each depth group ×ξ below the one above; the head at lr × head multiplier.
        var decayed = ParameterGroups.Build(model, plan.TrainableParameters, GroupingKind.LayerDecay, 1e-3, 10, 0, layerDecay: 0.5);
        Assert.Equal([1e-3 / 32, 1e-3 / 16, 1e-3 / 8, 1e-3 / 4, 1e-3 / 2, 1e-2], decayed.Select(g => g.LearningRate));
    }

    [Fact]
    public void The_scheduler_sets_every_group_and_cycles_momentum()
    {
        using var model = ModelZoo.Get("test-resnet").Build(2);
        var groups = ParameterGroups.Build(model, new FreezePlan(model, FreezeLevel.None).TrainableParameters, GroupingKind.BodyAndHead, 0.01, 10, 0);
        using var sgd = (TorchSharp.Modules.SGD)ParameterGroups.Create(OptimizerKind.Sgd, groups, momentum: 0.9, beta2: 0.99);
        var scheduler = new LrScheduler(sgd, [0.01, 0.1], new OneCycleSchedule(PctStart: 0.5), firstEpoch: 3, stepsPerEpoch: 10, totalSteps: 20);
        scheduler.BeforeOptimizerStep(new StepProgress(4, 1, 10, 0, 8)); // global step 10 of 20: the peak
        var pg = sgd.ParamGroups.ToList();
        Assert.Equal(0.01, pg[0].LearningRate, 12);
        Assert.Equal(0.1, pg[1].LearningRate, 12);
        Assert.Equal(0.85, ((TorchSharp.Modules.SGD.ParamGroup)pg[0]).Momentum, 12);
    }

    [Fact]
    public void Fastai_plan_trains_the_head_first_then_unfreezes_with_discriminative_rates()
    {
        var options = new FineTuneOptions { Recipe = RecipeKind.Fastai, Lr = 2e-3, FreezeEpochs = 1, Epochs = 3, TrainBn = true };
        using var model = ModelZoo.Get("test-resnet").Build(2);
        var phases = TrainingPlan.Build(options, model, stepsPerEpoch: 10);
        Assert.Equal(2, phases.Count);
        Assert.Equal((1, 1, "backbone"), (phases[0].FirstEpoch, phases[0].LastEpoch, phases[0].Freeze));
        Assert.Equal((2, 4, "none"), (phases[1].FirstEpoch, phases[1].LastEpoch, phases[1].Freeze));
        Assert.Equal(4, TrainingPlan.TotalEpochs(options));

        var head = phases[0].Groups(new FreezePlan(model, FreezeLevel.Backbone, trainBatchNorm: true).TrainableParameters);
        var onlyHeadAndBn = Assert.Single(head).Parameters.Count;
        Assert.Equal(2 + 2 * model.modules().OfType<TorchSharp.Modules.BatchNorm2d>().Count(), onlyHeadAndBn); // fc + every BN's weight and bias
        var all = phases[1].Groups(new FreezePlan(model, FreezeLevel.None).TrainableParameters);
        Assert.Equal(1e-3, all[^1].LearningRate, 12);      // head at lr/2
        Assert.Equal(1e-5, all[0].LearningRate, 12);       // stem at lr/200
    }
}
