using SharpTune.Models;
using static TorchSharp.torch;

namespace SharpTune.Tests.Models;

public class MixedPrecisionTests
{
    [Fact]
    public void Bf16_compute_stays_close_to_fp32_and_keeps_fp32_weights_and_gradients()
    {
        manual_seed(3);
        using var model = ModelZoo.Get("test-resnet").Build(4);
        model.eval();
        using var x = randn(2, 3, 32, 32);
        using var reference = model.call(x);

        model.ComputeType = ScalarType.BFloat16;
        using var mixed = model.call(x);
        Assert.Equal(ScalarType.Float32, mixed.dtype);
        double relative = (mixed - reference).abs().max().item<float>() / reference.abs().max().item<float>();
        Assert.InRange(relative, 1e-6, 0.05); // bf16 has 8 bits of mantissa: close, but not identical

        model.train();
        using var loss = model.call(x).square().sum();
        loss.backward();
        Assert.All(model.parameters(), p =>
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
        });
    }
}
