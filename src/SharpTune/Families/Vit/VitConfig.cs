namespace SharpTune.Families.Vit;

/// <summary>
/// The shape of a small Vision Transformer (Dosovitskiy et al. 2021; timm's <c>VisionTransformer</c> names): square
/// images of <paramref name="ImageSize"/> px cut into patches of <paramref name="PatchSize"/> px, a class token,
/// learned position embeddings, <paramref name="Depth"/> pre-norm encoder blocks, a final LayerNorm and a linear head.
/// </summary>
/// <param name="ImageSize">Input size in pixels (the position table fixes it).</param>
/// <param name="PatchSize">Patch size in pixels.</param>
/// <param name="Dim">Token width.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpDim">Hidden width of each block's MLP.</param>
/// <param name="Depth">Encoder blocks.</param>
public sealed record VitConfig(int ImageSize, int PatchSize, int Dim, int Heads, int MlpDim, int Depth = 1)
{
    /// <summary>A tiny ViT for tests: 32 px, 8-px patches (16 tokens + class token), width 32, 2 heads, one block.</summary>
    public static VitConfig Tiny { get; } = new(32, 8, 32, 2, 64);

    /// <summary>Patches per image.</summary>
    public int Patches => (ImageSize / PatchSize) * (ImageSize / PatchSize);
}
