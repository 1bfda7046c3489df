using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>
/// <c>activation(dense(x))</c>: HF's <c>BertIntermediate</c> (GELU, hidden → intermediate) and <c>BertPooler</c> (tanh on
/// the [CLS] vector, hidden → hidden); the state-dict key is <c>dense</c> in both.
/// </summary>
public sealed class BertDense : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear dense;
#pragma warning restore IDE1006
    private readonly Func<Tensor, Tensor> _activation;
    private readonly MixedPrecision _precision;

    /// <summary>Builds <c>Linear(<paramref name="inFeatures"/>, <paramref name="outFeatures"/>)</c> followed by <paramref name="activation"/>.</summary>
    public BertDense(int inFeatures, int outFeatures, Func<Tensor, Tensor> activation, MixedPrecision? precision = null) : base(nameof(BertDense))
    {
        _activation = activation;
        _precision = precision ?? new MixedPrecision();
        dense = Linear(inFeatures, outFeatures);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _activation(_precision.Linear(dense, x)).MoveToOuterDisposeScope();
    }
}
