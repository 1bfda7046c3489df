using static TorchSharp.torch;

namespace SharpTune.Training;

/// <summary>
/// What a task optimises and measures, given to the engine (<see cref="Trainer"/>, <see cref="Evaluation"/>, the LR
/// finder) instead of assumed by it: the loss of a batch's outputs, and the counts its metrics are made of. The
/// engine knows nothing of classes or tokens beyond this.
/// </summary>
public interface IObjective
{
    /// <summary>The training loss to differentiate, summed or averaged over the batch as <paramref name="reduction"/> says.</summary>
    Tensor Loss(Tensor outputs, Batch batch, nn.Reduction reduction);

    /// <summary>
    /// The denominator of the mean loss: the batch's size, or with per-example weights their sum (what
    /// <see cref="Loss"/> with a mean reduction divides by). Data parallelism sums it over processes.
    /// </summary>
    double MeanDenominator(Batch batch);

    /// <summary>Examples (or tokens) of the batch predicted correctly: the numerator of the training accuracy.</summary>
    long Correct(Tensor outputs, Batch batch);

    /// <summary>The evaluation loss of the batch, summed over its examples (no smoothing, no weights: comparable across runs).</summary>
    Tensor EvaluationLossSum(Tensor outputs, Batch batch);

    /// <summary>The predicted class of each example.</summary>
    long[] Predictions(Tensor outputs);
}

/// <summary>
/// Classification by cross-entropy (optionally with class weights and label smoothing): the only place the engine's
/// cross-entropy is computed. Accuracy counts arg-max hits.
/// </summary>
/// <param name="classWeights">Per-class loss weights (null = equal), e.g. from <see cref="ClassWeighting.Balanced"/>.</param>
/// <param name="labelSmoothing">Label smoothing ε (0 = none).</param>
public sealed class ClassificationObjective(Tensor? classWeights = null, double labelSmoothing = 0) : IObjective
{
    /// <summary>Plain cross-entropy.</summary>
    public static ClassificationObjective Plain { get; } = new();

    /// <summary>Per-class loss weights, or null.</summary>
    public Tensor? ClassWeights => classWeights;

    /// <summary>Label smoothing ε.</summary>
    public double LabelSmoothing => labelSmoothing;

    /// <inheritdoc />
    public Tensor Loss(Tensor outputs, Batch batch, nn.Reduction reduction) =>
        CrossEntropy(outputs, batch.Labels, classWeights, labelSmoothing, reduction);

    /// <inheritdoc />
    public double MeanDenominator(Batch batch) =>
        classWeights is null ? batch.Count : classWeights.index_select(0, batch.Labels).sum().item<float>();

    /// <inheritdoc />
    public long Correct(Tensor outputs, Batch batch) => outputs.argmax(1).eq(batch.Labels).sum().item<long>();

    /// <inheritdoc />
    public Tensor EvaluationLossSum(Tensor outputs, Batch batch) => CrossEntropy(outputs, batch.Labels, null, 0, nn.Reduction.Sum);

    /// <inheritdoc />
    public long[] Predictions(Tensor outputs) => outputs.argmax(1).cpu().data<long>().ToArray();

    private static Tensor CrossEntropy(Tensor logits, Tensor labels, Tensor? weights, double smoothing, nn.Reduction reduction) =>
        nn.functional.cross_entropy(logits, labels, weights, reduction: reduction, label_smoothing: smoothing);
}
