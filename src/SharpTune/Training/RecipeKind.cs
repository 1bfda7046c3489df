namespace SharpTune.Training;

/// <summary>Fine-tuning recipes.</summary>
public enum RecipeKind
{
    /// <summary>d2l.ai's chapter: one phase, SGD, constant lr, head ×10 (the default).</summary>
    D2l,
    /// <summary>
    /// fastai's <c>fine_tune</c>: train the head with the body frozen (BatchNorm still training) for
    /// <c>--freeze-epochs</c> under one-cycle, then unfreeze and train everything with discriminative learning rates
    /// (<c>slice(lr/200, lr/2)</c>) under one-cycle; AdamW, mean loss, weight decay 0.01, lr 2e-3.
    /// </summary>
    Fastai,
    /// <summary>
    /// Sun et al. 2019's BERT recipe (text models): AdamW, layer-wise decay, linear warm-up and decay, clipping; see
    /// <see cref="FineTuneOptions.TextRecipe"/>. One phase, as d2l.
    /// </summary>
    Sun2019,
}

/// <summary>Class weighting of the loss.</summary>
public enum ClassWeightMode
{
    /// <summary>Every example counts the same.</summary>
    None,
    /// <summary>Weights inversely proportional to class frequency in the training split.</summary>
    Auto,
}
