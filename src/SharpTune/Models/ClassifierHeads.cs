using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SharpTune.Models;

/// <summary>Replacing a model's classifier (<see cref="IClassifierModel.ResetClassifier"/>), one way for every family.</summary>
public static class ClassifierHeads
{
    /// <summary>
    /// Registers a fresh <c>Linear(<paramref name="inFeatures"/>, <paramref name="numClasses"/>)</c> (PyTorch's default
    /// initialisation) under <paramref name="name"/> in <paramref name="owner"/>, disposes <paramref name="old"/>, and
    /// returns the new layer for the owner's field.
    /// </summary>
    public static Linear Replace(nn.Module owner, string name, Linear old, long inFeatures, int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a classifier needs at least one class");
        owner.register_module(name, null!); // TorchSharp removes a submodule when given null
        var head = nn.Linear(inFeatures, numClasses);
        owner.register_module(name, head);
        old.Dispose();
        return head;
    }
}
