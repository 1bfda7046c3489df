using System.Text.Json;
using SharpTune.Models;
using SharpTune.Tuning.Lora;
using SharpTune.Weights;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tests.Tuning;

/// <summary>PEFT's invariants on tiny models: an MLP 10→20→2 and the tiny ResNet (Conv2d LoRA).</summary>
public class LoraTests
{
    private static Sequential Mlp(int seed)
    {
        manual_seed(seed);
        return nn.Sequential(("lin0", nn.Linear(10, 20)), ("relu", nn.ReLU()), ("lin1", nn.Linear(20, 2)));
    }

    private static LoraConfig Config(params string[] targets) => new(R: 4, LoraAlpha: 8, LoraDropout: 0, targets, ["lin1"], "mlp");

    private static void TrainSteps(nn.Module<Tensor, Tensor> model, Tensor x, int steps = 3)
    {
        using var sgd = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        for (int i = 0; i < steps; i++)
        {
            sgd.zero_grad();
            using var loss = model.call(x).square().sum();
            loss.backward();
            sgd.step();
        }
    }

    [Fact]
    public void A_fresh_adapter_leaves_the_output_unchanged()
    {
        using var model = Mlp(1);
        using var x = randn(5, 10);
        using var before = model.call(x);
        using var lora = LoraModel.Inject(model, Config("lin0"));
        Assert.True(model.call(x).allclose(before, rtol: 0, atol: 0));
        Assert.Single(lora.Layers);
    }

    [Fact]
    public void Training_changes_only_the_adapter_and_modules_to_save()
    {
        using var model = Mlp(2);
        using var x = randn(5, 10);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var lora = LoraModel.Inject(model, Config("lin0"));
        TrainSteps(model, x);
        foreach (var (key, value) in model.state_dict())
        {
            bool shouldChange = key.Contains("lora_B") || key.StartsWith("lin1.", StringComparison.Ordinal);
            if (key.Contains("lora_A")) continue; // A moves only once B is non-zero; not asserted either way
            bool changed = !before.TryGetValue(key, out var old) || !value.allclose(old, rtol: 0, atol: 0);
            Assert.True(shouldChange == changed, $"{key}: changed={changed}");
        }
        Assert.Equal(4 * 10 + 20 * 4 + 20 * 2 + 2, lora.TrainableParameters);
    }

    [Fact]
    public void Merged_equals_unmerged_and_disabled_equals_base()
    {
        using var model = Mlp(3);
        using var x = randn(5, 10);
        using var baseOut = model.call(x);
        using var lora = LoraModel.Inject(model, Config("lin0") with { ModulesToSave = [] });
        TrainSteps(model, x);
        using var adapted = model.call(x);
        Assert.False(adapted.allclose(baseOut, rtol: 0, atol: 1e-4), "training should move the output");

        // Merged, the MLP computes (W + s·BA)·x; unmerged, W·x + s·B(A·x); after Unmerge, W + s·BA − s·BA, which is W
        // up to a rounding of each weight. Each pair is two float32 evaluations of one function (Tolerances.Forward:
        // depth 3 for A, B and lin1, the longest reduction lin1's 20 inputs), relative to the scale of the terms summed,
        // |W1|·((|W0| + |s·BA|)·|x| + |b0|) + |b1|: the training drives the outputs themselves toward 0.
        double bound = Tolerances.Forward(TermScale(model, lora, x), depth: 3, reduction: 20);
        lora.Merge();
        Tolerances.Within(Tolerances.MaxAbsDiff(model.call(x), adapted), bound, "merged vs unmerged");
        lora.Unmerge();
        Tolerances.Within(Tolerances.MaxAbsDiff(model.call(x), adapted), bound, "merged then unmerged vs unmerged");

        lora.SetEnabled(false);
        Tolerances.Within(Tolerances.MaxAbsDiff(model.call(x), baseOut), bound, "disabled after unmerging vs the base");
    }

    /// <summary>Largest |W1|·((|W0| + |ΔW|)·|x| + |b0|) + |b1| of the MLP with its lin0 adapter (unmerged): the scale of the terms it sums.</summary>
    private static double TermScale(Sequential model, LoraModel lora, Tensor x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p = model.named_parameters().ToDictionary(n => n.name, n => (Tensor)n.parameter);
        var delta = Assert.Single(lora.Layers).DeltaWeight();
        var h = (p["lin0.weight"].abs() + delta.abs()).matmul(x.abs().t()) + p["lin0.bias"].abs().unsqueeze(1);
        return Tolerances.MaxAbs(p["lin1.weight"].abs().matmul(h) + p["lin1.bias"].abs().unsqueeze(1));
    }

    [Fact]
    public void Save_then_load_into_a_fresh_base_gives_identical_outputs_with_PEFT_file_names()
    {
        using var dir = new TempDirectory();
        using var x = randn(5, 10);
        Tensor expected;
        using (var model = Mlp(4))
        using (var lora = LoraModel.Inject(model, Config("lin0")))
        {
            TrainSteps(model, x);
            expected = model.call(x).detach().clone();
            lora.Save(dir.Path);
        }

        var keys = StateDictFile.Read(Path.Combine(dir.Path, LoraModel.WeightsFileName)).Keys.OrderBy(k => k).ToList();
        Assert.Equal(["base_model.model.lin0.lora_A.weight", "base_model.model.lin0.lora_B.weight",
                      "base_model.model.lin1.modules_to_save.bias", "base_model.model.lin1.modules_to_save.weight"], keys);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, LoraModel.ConfigFileName)));
        foreach (var field in new[] { "base_model_name_or_path", "r", "lora_alpha", "lora_dropout", "target_modules", "modules_to_save", "peft_type" })
            Assert.True(config.RootElement.TryGetProperty(field, out _), field);

        // Same base weights (seed 4), another LoRA initialisation (seed 99).
        using var fresh = Mlp(4);
        manual_seed(99);
        using var loaded = LoraModel.Load(fresh, dir.Path);
        // The same computation (same weights, inputs and kernels) on one machine: bit-identical (0 measured); the tolerance is slack, not an error bound.
        Assert.True(fresh.call(x).allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void Conv2d_LoRA_on_the_tiny_ResNet_keeps_the_invariants()
    {
        manual_seed(5);
        using var model = ModelZoo.Get("test-resnet").Build(3);
        model.eval();
        using var x = randn(2, 3, 32, 32);
        using var baseOut = model.call(x);
        using var lora = LoraModel.Inject(model, new LoraConfig(4, 8, 0, [@"re:layer4\..*conv[12]"], ["fc"], "test-resnet"));
        Assert.Equal(["layer4.0.conv1", "layer4.0.conv2"], lora.Layers.Select(l => l.Name));
        Assert.True(model.call(x).allclose(baseOut, rtol: 0, atol: 0));

        // Non-zero B, then merged == unmerged, also in bf16 mixed precision (which bypasses forward hooks).
        using (no_grad()) foreach (var l in lora.Layers) LoraLayer.Weight(l.B).normal_(0, 0.1);
        using var adapted = model.call(x);
        Assert.False(adapted.allclose(baseOut, rtol: 0, atol: 1e-4));
        lora.Merge();
        // Two float32 evaluations of one network (merged weights, or the adapter's convs beside the base ones):
        // Tolerances.Forward for the tiny ResNet, relative to the largest logit.
        var spec = model.Spec;
        Tolerances.Within(Tolerances.MaxAbsDiff(model.call(x), adapted), Tolerances.Forward(Tolerances.MaxAbs(adapted), Tolerances.Depth(spec), Tolerances.LongestReduction(spec)),
            "conv LoRA merged vs unmerged");
        lora.Unmerge();
        model.ComputeType = ScalarType.BFloat16;
        using var mixed = model.call(x);
        model.ComputeType = null;
        Assert.True((mixed - adapted).abs().max().item<float>() < 0.05 * adapted.abs().max().item<float>());
        Assert.True(lora.TrainableParameters < 0.2 * lora.TotalParameters);
    }

    [Fact]
    public void Targets_that_match_nothing_are_named_in_the_error()
    {
        using var model = Mlp(6);
        var e = Assert.Throws<ArgumentException>(() => LoraModel.Inject(model, Config("query")));
        Assert.Contains("query", e.Message);
        Assert.Contains("lin0", e.Message);
        Assert.True(LoraModel.Matches("encoder.layer.0.attention.self.query", ["query", "value"]));
        Assert.False(LoraModel.Matches("encoder.layer.0.attention.self.query_proj", ["query"]));
    }
}
