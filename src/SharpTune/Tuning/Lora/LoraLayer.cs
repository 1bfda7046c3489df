using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Tuning.Lora;

/// <summary>
/// A LoRA update attached to one frozen <c>Linear</c> or <c>Conv2d</c> (its "base layer"), by composition: the base
/// module is left in place and a forward hook adds <c>B(A(dropout(x))) · alpha/r</c> to its output. A and B are
/// registered on the base module as <c>lora_A</c> / <c>lora_B</c>, so their state-dict keys are PEFT's
/// (<c>…query.lora_A.weight</c>). A is Kaiming-uniform, B zero: a fresh adapter leaves the model's output unchanged.
/// For convolutions, A has the base kernel, stride and padding and B is 1×1 (PEFT's Conv2d LoRA).
/// </summary>
public sealed class LoraLayer : Models.IModuleAdapter, IDisposable
{
    private readonly nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover _hook;

    /// <summary>Attaches a LoRA update of rank <paramref name="r"/> to <paramref name="baseLayer"/>.</summary>
    public LoraLayer(string name, nn.Module<Tensor, Tensor> baseLayer, int r, double alpha, double dropout)
    {
        Name = name;
        Base = baseLayer;
        Scaling = alpha / r;
        Dropout = dropout;
        switch (baseLayer)
        {
            case Linear linear:
                A = nn.Linear(linear.in_features, r, hasBias: false);
                B = nn.Linear(r, linear.out_features, hasBias: false);
                break;
            case Conv2d conv:
                var kernel = conv.weight!.shape;
                A = nn.Conv2d(kernel[1], r, (kernel[2], kernel[3]), stride: (conv.stride[0], conv.stride[1]),
                    padding: (conv.padding![0], conv.padding[1]), bias: false);
                B = nn.Conv2d(r, kernel[0], 1, bias: false);
                break;
            default:
                throw new ArgumentException($"{name}: LoRA supports Linear and Conv2d layers, not {baseLayer.GetType().Name}");
        }
        using (no_grad())
        {
            nn.init.kaiming_uniform_(Weight(A), a: Math.Sqrt(5));
            nn.init.zeros_(Weight(B));
        }
        baseLayer.register_module("lora_A", A);
        baseLayer.register_module("lora_B", B);
        foreach (var p in baseLayer.named_parameters(recurse: false)) p.parameter.requires_grad = false;
        _hook = baseLayer.register_forward_hook((_, input, output) => Applies ? output + Update(input) : output);
        Models.ModuleAdapters.Attach(baseLayer, this);
    }

    /// <summary>Module name of the base layer in the model.</summary>
    public string Name { get; }

    /// <summary>The frozen layer being adapted.</summary>
    public nn.Module<Tensor, Tensor> Base { get; }

    /// <summary>The down projection (rank r).</summary>
    public nn.Module<Tensor, Tensor> A { get; }

    /// <summary>The up projection.</summary>
    public nn.Module<Tensor, Tensor> B { get; }

    /// <summary>alpha / r.</summary>
    public double Scaling { get; }

    /// <summary>Dropout probability on the LoRA path.</summary>
    public double Dropout { get; }

    /// <summary>Whether the update is applied (false gives the base model's output).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether the update has been added into the base weight (then the hook adds nothing).</summary>
    public bool Merged { get; private set; }

    /// <summary>True when the forward pass adds the update (enabled and not merged).</summary>
    public bool Applies => Enabled && !Merged;

    /// <summary>The LoRA layer attached to <paramref name="module"/>, if any (for code that bypasses forward hooks).</summary>
    public static LoraLayer? Of(nn.Module module) => Models.ModuleAdapters.Of(module) as LoraLayer;

    /// <summary>The update for input <paramref name="x"/>: B(A(dropout(x))) · scaling.</summary>
    public Tensor Update(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = Dropout > 0 ? nn.functional.dropout(x, Dropout, Base.training) : x;
        return (B.call(A.call(h)) * Scaling).MoveToOuterDisposeScope();
    }

    /// <summary>The update as a weight of the base layer's shape: B·A·scaling.</summary>
    public Tensor DeltaWeight()
    {
        using var scope = NewDisposeScope();
        var a = Weight(A);
        var b = Weight(B);
        Tensor delta = Base is Linear
            ? b.matmul(a)
            : b.flatten(1).matmul(a.flatten(1)).view(b.shape[0], a.shape[1], a.shape[2], a.shape[3]);
        return (delta * Scaling).MoveToOuterDisposeScope();
    }

    /// <summary>Adds the update into the base weight, so inference costs nothing extra.</summary>
    public void Merge()
    {
        if (Merged) return;
        using (no_grad()) using (var d = DeltaWeight()) Weight(Base).add_(d);
        Merged = true;
    }

    /// <summary>Subtracts a merged update from the base weight again.</summary>
    public void Unmerge()
    {
        if (!Merged) return;
        using (no_grad()) using (var d = DeltaWeight()) Weight(Base).sub_(d);
        Merged = false;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _hook.remove();
        Base.register_module("lora_A", null!); // TorchSharp removes a submodule when given null
        Base.register_module("lora_B", null!);
        A.Dispose();
        B.Dispose();
        Models.ModuleAdapters.Detach(Base);
    }

    /// <summary>The weight parameter of a Linear or Conv2d.</summary>
    public static Parameter Weight(nn.Module m) => m switch
    {
        Linear l => l.weight!,
        Conv2d c => c.weight!,
        _ => throw new ArgumentException(m.GetType().Name),
    };
}
