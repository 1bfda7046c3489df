using SharpTune.Data;

namespace SharpTune.Inference;

/// <summary>
/// A trained image classifier with its preprocessing, whatever runs it: a TorchSharp run directory
/// (<see cref="SharpTuneModel"/>) or an exported ONNX file (<c>SharpTune.Onnx.OnnxClassifier</c>). Given the same
/// model, both give the same answers. Implementations are safe for concurrent callers.
/// <code>
/// using IImageClassifier model = SharpTuneModel.Load("runs/NAME");
/// foreach (var p in model.Predict("photo.jpg", topK: 3)) Console.WriteLine($"{p.Class}: {p.Probability:P1}");
/// </code>
/// </summary>
public interface IImageClassifier : IDisposable
{
    /// <summary>Class names in output order.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>Resize, crop and normalisation applied to every image.</summary>
    ClassifierPreprocessing Preprocessing { get; }

    /// <summary>Top-<paramref name="topK"/> classes of the image file at <paramref name="imagePath"/>, most probable first.</summary>
    /// <exception cref="DataException">The file is missing or cannot be decoded; the message names it.</exception>
    IReadOnlyList<Prediction> Predict(string imagePath, int topK = 5);

    /// <summary>Top-<paramref name="topK"/> classes of the encoded image (JPEG, PNG, …) in <paramref name="image"/>.</summary>
    /// <exception cref="DataException">The stream does not hold a decodable image.</exception>
    IReadOnlyList<Prediction> Predict(Stream image, int topK = 5);

    /// <summary>Top-<paramref name="topK"/> classes of each image file, in batches of at most <see cref="MaxBatchSize"/>.</summary>
    /// <exception cref="DataException">A file is missing or cannot be decoded (the first such file is named).</exception>
    IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<string> imagePaths, int topK = 5);

    /// <summary>Top-<paramref name="topK"/> classes of each decoded image, in batches of at most <see cref="MaxBatchSize"/>.</summary>
    IReadOnlyList<IReadOnlyList<Prediction>> PredictBatch(IReadOnlyList<RgbImage> images, int topK = 5);

    /// <summary>Class probabilities, [images, classes], of decoded images (preprocessing included), in one forward pass.</summary>
    float[,] Probabilities(IReadOnlyList<RgbImage> images);

    /// <summary>Raw class scores, [images, classes], of decoded images (preprocessing included), in one forward pass.</summary>
    float[,] Logits(IReadOnlyList<RgbImage> images);

    /// <summary>Largest number of images per forward pass in the batch methods (bounds memory).</summary>
    int MaxBatchSize { get; }
}
