namespace SharpTune.Reporting;

/// <summary>Precision, recall and F1 of one class.</summary>
/// <param name="Class">Class name.</param>
/// <param name="Precision">Correct predictions of the class over all predictions of it.</param>
/// <param name="Recall">Correct predictions of the class over all its examples.</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">Examples of the class.</param>
public sealed record ClassScores(string Class, double Precision, double Recall, double F1, int Support);

/// <summary>Accuracy, per-class scores and the confusion matrix of a set of predictions.</summary>
/// <param name="Accuracy">Fraction correct.</param>
/// <param name="F1Macro">Unweighted mean of the per-class F1 scores.</param>
/// <param name="PerClass">Scores of each class, in class order.</param>
/// <param name="Confusion">Confusion[true][predicted] counts.</param>
/// <param name="Classes">Class names.</param>
public sealed record ClassificationReport(
    double Accuracy,
    double F1Macro,
    IReadOnlyList<ClassScores> PerClass,
    IReadOnlyList<IReadOnlyList<int>> Confusion,
    IReadOnlyList<string> Classes)
{
    /// <summary>Computes the report from true and predicted class indices.</summary>
    public static ClassificationReport From(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, IReadOnlyList<string> classes)
    {
        if (labels.Count != predictions.Count) throw new ArgumentException("labels and predictions differ in length");
        int c = classes.Count;
        var confusion = new int[c][];
        for (int i = 0; i < c; i++) confusion[i] = new int[c];
        for (int i = 0; i < labels.Count; i++) confusion[labels[i]][predictions[i]]++;

        var scores = new List<ClassScores>();
        for (int k = 0; k < c; k++)
        {
            int tp = confusion[k][k];
            int predicted = Enumerable.Range(0, c).Sum(t => confusion[t][k]);
            int actual = confusion[k].Sum();
            double precision = predicted == 0 ? 0 : tp / (double)predicted;
            double recall = actual == 0 ? 0 : tp / (double)actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            scores.Add(new ClassScores(classes[k], precision, recall, f1, actual));
        }
        double accuracy = labels.Count == 0 ? 0 : Enumerable.Range(0, c).Sum(k => confusion[k][k]) / (double)labels.Count;
        return new ClassificationReport(accuracy, scores.Average(s => s.F1), scores, confusion, classes);
    }
}
