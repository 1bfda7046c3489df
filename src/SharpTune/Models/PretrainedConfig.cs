namespace SharpTune.Models;

/// <summary>
/// Everything a caller needs to know about a zoo model's pretrained weights (timm's <c>PretrainedCfg</c>): where they
/// come from, what input they expect and which tensors form the classifier.
/// </summary>
/// <param name="InputSize">Square input size the weights were trained at (text: longest sequence in tokens).</param>
/// <param name="Normalization">Pixel normalisation the weights expect (null for text models).</param>
/// <param name="NumFeatures">Width of the pooled features that feed the classifier.</param>
/// <param name="NumClasses">Classes of the pretrained classifier; 0 when the weights have none.</param>
/// <param name="ClassifierKeys">State-dict keys of the classifier (dropped when the class count differs).</param>
/// <param name="FirstConv">Name of the first convolution (for input-channel changes); text: the word embeddings.</param>
/// <param name="Source">Where the weights come from.</param>
/// <param name="License">Licence of the weights.</param>
public sealed record PretrainedConfig(
    int InputSize,
    Normalization? Normalization,
    int NumFeatures,
    int NumClasses,
    IReadOnlyList<string> ClassifierKeys,
    string FirstConv,
    string Source,
    string License);
