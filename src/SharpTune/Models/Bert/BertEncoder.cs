using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Models.Bert;

/// <summary>The stack of encoder layers (HF <c>BertEncoder</c>: keys <c>layer.0</c>, <c>layer.1</c>, …).</summary>
public sealed class BertEncoder : Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly ModuleList<BertLayer> layer;
#pragma warning restore IDE1006

    /// <summary>Builds <see cref="BertConfig.NumHiddenLayers"/> layers.</summary>
    public BertEncoder(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config, precision)).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, bottom first.</summary>
    public IReadOnlyList<BertLayer> Layers => layer.ToList();

    /// <inheritdoc cref="BertSelfAttention.forward"/>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var x = hidden;
        foreach (var l in layer) x = l.call(x, additiveMask);
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary><c>tanh(dense(h[CLS]))</c> (HF <c>BertPooler</c>: key <c>dense</c>).</summary>
public sealed class BertPooler : Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // field names are state-dict keys
    private readonly Linear dense;
    private readonly MixedPrecision _precision;
#pragma warning restore IDE1006

    /// <summary>Builds <c>Linear(hidden, hidden)</c>.</summary>
    public BertPooler(BertConfig config, MixedPrecision? precision = null) : base(nameof(BertPooler))
    {
        _precision = precision ?? new MixedPrecision();
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Pools the last hidden state [N, L, H] into [N, H] from the first ([CLS]) token.</summary>
    public override Tensor forward(Tensor lastHidden)
    {
        using var scope = NewDisposeScope();
        return tanh(_precision.Linear(dense, lastHidden.select(1, 0))).MoveToOuterDisposeScope();
    }
}
