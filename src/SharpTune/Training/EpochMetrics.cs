namespace SharpTune.Training;

/// <summary>
/// One epoch's figures, as written to <c>metrics.jsonl</c>. Losses are means per example (whatever the loss
/// reduction used for the gradient); <see cref="ExamplesPerSec"/> is training examples over the wall time of the
/// training phase, waiting for data included and evaluation excluded. <see cref="F1Macro"/> is the test split's
/// macro-averaged F1 (over the classes that occur in its labels or predictions).
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAcc,
    double TestLoss,
    double TestAcc,
    double ExamplesPerSec,
    double EpochSeconds,
    double DataWaitSeconds,
    double F1Macro = 0);
