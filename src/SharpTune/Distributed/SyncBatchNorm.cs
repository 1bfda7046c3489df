using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Distributed;

/// <summary>
/// BatchNorm whose batch statistics cover the global batch of every process (PyTorch's SyncBatchNorm), for training
/// mode: each process sums its examples' x and x² per channel, one all-reduce makes them global, and the backward pass
/// all-reduces their gradients the same way (an all-reduce is its own adjoint). The module's parameters and running
/// statistics are used and updated as <see cref="BatchNorm2d"/> would, so state dicts do not change.
/// </summary>
public static class SyncBatchNorm
{
    /// <summary>Normalises <paramref name="x"/> (N, C, H, W) with statistics over all processes' batches.</summary>
    public static Tensor Forward(BatchNorm2d bn, Tensor x, ICommunicator communicator)
    {
        using var scope = NewDisposeScope();
        long c = x.shape[1];
        long[] dims = [0, 2, 3];
        // Per channel Σx and Σx², then this process's example count: one all-reduce for all three.
        var count = tensor(new[] { x.numel() / (double)c }, ScalarType.Float64);
        var local = cat([x.sum(dims).to(ScalarType.Float64), (x * x).sum(dims).to(ScalarType.Float64), count]);
        var stats = AllReduceFunction.apply(local, communicator);
        double n = stats[2 * c].item<double>();
        var mean = stats.narrow(0, 0, c) / n;
        var variance = stats.narrow(0, c, c) / n - mean * mean;
        var invStd = (variance + bn.eps).rsqrt();
        var scale = bn.weight is null ? invStd : invStd * bn.weight;
        var shift = -mean * scale + (bn.bias is null ? 0 : bn.bias);
        var y = x * scale.to(x.dtype).view(1, c, 1, 1) + shift.to(x.dtype).view(1, c, 1, 1);
        UpdateRunningStatistics(bn, mean, variance, n);
        return y.MoveToOuterDisposeScope();
    }

    private static void UpdateRunningStatistics(BatchNorm2d bn, Tensor mean, Tensor variance, double n)
    {
        using var noGrad = no_grad();
        if (bn.running_mean is null || bn.running_var is null) return;
        double momentum = bn.momentum ?? 0.1;
        bn.running_mean.mul_(1 - momentum).add_(mean.to(bn.running_mean.dtype) * momentum);
        // Running variance is unbiased, as in PyTorch.
        bn.running_var.mul_(1 - momentum).add_(variance.to(bn.running_var.dtype) * (momentum * n / Math.Max(n - 1, 1)));
        bn.num_batches_tracked?.add_(1);
    }

    /// <summary>y = Σ over processes of x, differentiable: the gradient is the Σ of the gradients.</summary>
    private sealed class AllReduceFunction : autograd.SingleTensorFunction<AllReduceFunction>
    {
        public override string Name => "SharpTuneAllReduceSum";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var communicator = (ICommunicator)vars[1];
            ctx.save_data("communicator", communicator);
            var sum = ((Tensor)vars[0]).contiguous().clone();
            communicator.AllReduceSum(sum);
            return sum;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var communicator = (ICommunicator)ctx.get_data("communicator");
            var sum = gradOutput.contiguous().clone();
            communicator.AllReduceSum(sum);
            return [sum, null!]; // one gradient per argument: none for the communicator
        }
    }
}
