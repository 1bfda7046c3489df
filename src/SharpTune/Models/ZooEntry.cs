using SharpTune.Weights;

namespace SharpTune.Models;

/// <summary>One model of the zoo: a name, an architecture, its pretrained configuration and (optionally) weights.</summary>
/// <param name="Name">Registry name, e.g. <c>resnet18</c>.</param>
/// <param name="Description">One line for <c>sharptune models list</c>.</param>
/// <param name="Spec">The ResNet shape (null for a text model).</param>
/// <param name="Config">Pretrained configuration (input size, normalisation, classifier keys, source, licence).</param>
/// <param name="Weights">Bundled pretrained weights, or null when the user supplies a weights file.</param>
public sealed record ZooEntry(string Name, string Description, ResNetSpec? Spec, PretrainedConfig Config, IPretrainedWeights? Weights)
{
    /// <summary>The encoder and vocabulary of a text model; null for an image model.</summary>
    public TextModelSpec? Text { get; init; }

    /// <summary>
    /// The shape of a model of another family than ResNet or BERT (e.g. a ViT config): the family recognises its
    /// entries by it (<c>IModelFamily.Handles</c>), so a new family needs no field here.
    /// </summary>
    public object? Architecture { get; init; }

    /// <summary>Image or text.</summary>
    public ModelTask Task => Text is null ? ModelTask.Image : ModelTask.Text;

    /// <summary>Builds the ResNet with random weights and a head of <paramref name="numClasses"/> classes.</summary>
    /// <exception cref="InvalidOperationException">A text model (see <see cref="TextModels"/>).</exception>
    public ResNet Build(int numClasses) =>
        new(Spec ?? throw new InvalidOperationException($"'{Name}' is a text model; build it with TextModels.Create"), numClasses);
}
