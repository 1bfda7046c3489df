using SharpTune.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SharpTune.Families.Vit;

/// <summary>
/// A small Vision Transformer classifier with timm's parameter names (<c>patch_embed.proj</c>, <c>blocks.N.attn.qkv</c>,
/// <c>blocks.N.mlp.fc1</c>, <c>norm</c>, <c>head</c>). Written here because TorchSharp/TorchVision 0.107 ship no ViT.
/// </summary>
public sealed class VitModel : Module<Tensor, Tensor>, IModelContract
{
    private readonly PatchEmbed patch_embed;
    private readonly ModuleList<Block> blocks;
    private readonly LayerNorm norm;
    private Linear head;

    /// <summary>Builds the model with random weights and a head of <paramref name="numClasses"/> classes.</summary>
    public VitModel(VitConfig config, int numClasses) : base(nameof(VitModel))
    {
        Config = config;
        patch_embed = new PatchEmbed(config);
        blocks = new ModuleList<Block>([.. Enumerable.Range(0, config.Depth).Select(_ => new Block(config))]);
        norm = LayerNorm(config.Dim, eps: 1e-6);
        head = Linear(config.Dim, numClasses);
        RegisterComponents();
    }

    /// <summary>The shape.</summary>
    public VitConfig Config { get; }

    /// <inheritdoc />
    public int NumFeatures => Config.Dim;

    /// <inheritdoc />
    public int NumClasses => (int)head.out_features;

    /// <inheritdoc />
    public string ClassifierName => nameof(head);

    /// <inheritdoc />
    public Module<Tensor, Tensor> Classifier => head;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Module Module)> BodyParts =>
        [("patch_embed", patch_embed), .. blocks.Select((b, i) => ($"blocks.{i}", (Module)b)), ("norm", norm)];

    /// <summary><c>none</c>, <c>patch_embed</c>, <c>blockN</c> (the embedding and the N lowest blocks), <c>backbone</c>.</summary>
    public IReadOnlyList<string> FreezeTargets => ["none", "patch_embed", .. Enumerable.Range(1, Config.Depth).Select(i => $"block{i}"), "backbone"];

    /// <inheritdoc />
    public int? FrozenPartCount(string target)
    {
        var t = target.Trim().ToLowerInvariant();
        if (t == "none") return 0;
        if (t == "patch_embed") return 1;
        if (t == "backbone") return Config.Depth + 2;
        return t.StartsWith("block", StringComparison.Ordinal) && int.TryParse(t[5..], out int n) && n >= 1 && n <= Config.Depth ? n + 1 : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> DepthGroups => ["patch_embed", .. Enumerable.Range(1, Config.Depth).Select(i => $"block{i}"), "head"];

    /// <summary>The final norm belongs to the top block's group.</summary>
    public string DepthGroupOf(string parameterName)
    {
        if (parameterName.StartsWith("head.", StringComparison.Ordinal)) return "head";
        if (parameterName.StartsWith("patch_embed.", StringComparison.Ordinal)) return "patch_embed";
        if (parameterName.StartsWith("blocks.", StringComparison.Ordinal)) return $"block{int.Parse(parameterName.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture) + 1}";
        return $"block{Config.Depth}";
    }

    /// <inheritdoc />
    public int DecayDepth(string parameterName) => DepthGroups.Count - 1 - DepthGroups.ToList().IndexOf(DepthGroupOf(parameterName));

    /// <inheritdoc />
    public bool ExemptFromWeightDecay(string parameterName) => false;

    /// <summary>The attention projections of every block.</summary>
    public string DefaultLoraTargets => @"re:blocks\.\d+\.attn\.(qkv|proj)";

    /// <inheritdoc />
    public Tensor ForwardFeatures(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = patch_embed.call(input);
        foreach (var block in blocks) x = block.call(x);
        return norm.call(x).select(1, 0).MoveToOuterDisposeScope(); // the class token
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return head.call(ForwardFeatures(input)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void ResetClassifier(int numClasses) => head = ClassifierHeads.Replace(this, nameof(head), head, Config.Dim, numClasses);

    /// <summary>Patches → tokens, with the class token in front and the position embeddings added.</summary>
    private sealed class PatchEmbed : Module<Tensor, Tensor>
    {
        private readonly Conv2d proj;
        private readonly Parameter cls_token;
        private readonly Parameter pos_embed;
        private readonly int _size;

        public PatchEmbed(VitConfig c) : base(nameof(PatchEmbed))
        {
            _size = c.ImageSize;
            proj = Conv2d(3, c.Dim, c.PatchSize, stride: c.PatchSize);
            cls_token = Parameter(zeros(1, 1, c.Dim));
            pos_embed = Parameter(randn(1, c.Patches + 1, c.Dim) * 0.02f);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            if (x.shape[2] != _size || x.shape[3] != _size)
                throw new ArgumentException($"this ViT takes {_size}x{_size} px images (its position table is fixed), not {x.shape[2]}x{x.shape[3]}");
            using var scope = NewDisposeScope();
            var tokens = proj.call(x).flatten(2).transpose(1, 2);
            var cls = cls_token.expand(tokens.shape[0], -1, -1);
            return (cat([cls, tokens], 1) + pos_embed).MoveToOuterDisposeScope();
        }
    }

    /// <summary>A pre-norm encoder block: x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly LayerNorm norm1, norm2;
        private readonly Attention attn;
        private readonly Mlp mlp;

        public Block(VitConfig c) : base(nameof(Block))
        {
            (norm1, norm2) = (LayerNorm(c.Dim, eps: 1e-6), LayerNorm(c.Dim, eps: 1e-6));
            (attn, mlp) = (new Attention(c), new Mlp(c));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = x + attn.call(norm1.call(x));
            return (y + mlp.call(norm2.call(y))).MoveToOuterDisposeScope();
        }
    }

    private sealed class Attention : Module<Tensor, Tensor>
    {
        private readonly Linear qkv;
        private readonly Linear proj;
        private readonly int _heads;

        public Attention(VitConfig c) : base(nameof(Attention))
        {
            _heads = c.Heads;
            qkv = Linear(c.Dim, 3 * c.Dim);
            proj = Linear(c.Dim, c.Dim);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            long n = x.shape[0], t = x.shape[1], d = x.shape[2], hd = d / _heads;
            var parts = qkv.call(x).reshape(n, t, 3, _heads, hd).permute(2, 0, 3, 1, 4); // [3, N, heads, T, hd]
            var (q, k, v) = (parts[0], parts[1], parts[2]);
            var weights = functional.softmax(q.matmul(k.transpose(-2, -1)) / Math.Sqrt(hd), -1);
            var y = weights.matmul(v).transpose(1, 2).reshape(n, t, d);
            return proj.call(y).MoveToOuterDisposeScope();
        }
    }

    private sealed class Mlp : Module<Tensor, Tensor>
    {
        private readonly Linear fc1;
        private readonly Linear fc2;

        public Mlp(VitConfig c) : base(nameof(Mlp))
        {
            fc1 = Linear(c.Dim, c.MlpDim);
            fc2 = Linear(c.MlpDim, c.Dim);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return fc2.call(functional.gelu(fc1.call(x))).MoveToOuterDisposeScope();
        }
    }
}
