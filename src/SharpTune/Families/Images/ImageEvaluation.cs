using SharpTune.Data;
using SharpTune.Inference;
using SharpTune.Training;
using static TorchSharp.torch;

namespace SharpTune.Families.Images;

/// <summary>Evaluates a trained image classifier on a dataset split with its own preprocessing (any image family).</summary>
public static class ImageEvaluation
{
    /// <summary>
    /// Runs <paramref name="module"/> (the classifier's network) over the test (or val) split of
    /// <paramref name="dataPath"/>, or over that folder itself when it has no splits.
    /// </summary>
    public static RunEvaluation Run(ImageClassifier classifier, nn.Module<Tensor, Tensor> module, string dataPath, int batchSize)
    {
        if (!Directory.Exists(dataPath)) throw new Configuration.OptionsException($"--data: folder '{dataPath}' does not exist");
        var split = OpenEvaluationSplit(dataPath);
        if (!split.Classes.SequenceEqual(classifier.Classes))
            throw new DataException($"{split.Directory}: classes [{string.Join(", ", split.Classes)}] differ from the model's [{string.Join(", ", classifier.Classes)}]");
        var pre = classifier.Preprocessing;
        using var loader = new ImageLoader(split.Samples, ImageTransforms.EvalD2l(pre.CropSize, pre.Normalization),
            new LoaderOptions(batchSize, Shuffle: false, Seed: 0));
        module.eval();
        var result = Evaluation.Run(module, new ImageBatchSource(loader, split.Samples.Count));
        return new RunEvaluation(result, classifier.Classes, split.Directory, split.BadImages.Concat(loader.BadImagesSeen).Select(b => b.ToString()).ToList());
    }

    private static ImageFolder OpenEvaluationSplit(string dir)
    {
        bool hasSplits = Directory.Exists(Path.Combine(dir, "train")) || Directory.Exists(Path.Combine(dir, "test")) || Directory.Exists(Path.Combine(dir, "val"));
        if (!hasSplits) return ImageFolder.OpenSplit(dir);
        var test = Path.Combine(dir, "test");
        var val = Path.Combine(dir, "val");
        if (Directory.Exists(test)) return ImageFolder.OpenSplit(test);
        if (Directory.Exists(val)) return ImageFolder.OpenSplit(val);
        throw new DataException($"{dir}: no test or val split to evaluate");
    }
}
