using TorchSharp;
using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>
/// The contract every SharpTune classifier fulfils (timm's model contract): a feature extractor (the body) and a
/// replaceable linear classifier (the head).
/// </summary>
public interface IClassifierModel
{
    /// <summary>Width of the features produced by <see cref="ForwardFeatures"/>.</summary>
    int NumFeatures { get; }

    /// <summary>Number of output classes of the current head.</summary>
    int NumClasses { get; }

    /// <summary>Name of the classifier submodule (its state-dict prefix), e.g. <c>fc</c>.</summary>
    string ClassifierName { get; }

    /// <summary>The current classifier layer.</summary>
    nn.Module<Tensor, Tensor> Classifier { get; }

    /// <summary>Runs the body: inputs to pooled features of shape [N, <see cref="NumFeatures"/>].</summary>
    Tensor ForwardFeatures(Tensor input);

    /// <summary>Replaces the classifier with a fresh <c>Linear(NumFeatures, numClasses)</c> (PyTorch default init).</summary>
    void ResetClassifier(int numClasses);
}
