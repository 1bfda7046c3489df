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
