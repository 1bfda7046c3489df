using SharpTune.Models.Bert;
using SharpTune.Text;

namespace SharpTune.Training;

/// <summary>
/// <c>model.json</c> of a text run: everything needed to rebuild the classifier from <c>model.safetensors</c> and to
/// tokenise inputs for it (with <c>vocab.txt</c> beside it). The BERT shape uses Hugging Face's <c>config.json</c>
/// names.
/// </summary>
/// <param name="FormatVersion">Version of this file's layout (shared with <see cref="ModelInfo"/>).</param>
/// <param name="Model">Zoo name the run started from.</param>
/// <param name="Architecture">Always <c>bert</c>.</param>
/// <param name="Bert">The encoder's shape.</param>
/// <param name="Pooling">What feeds the classifier.</param>
/// <param name="Classes">Class names, in output order.</param>
/// <param name="MaxLength">Longest input in tokens.</param>
/// <param name="Truncation">How longer documents are cut.</param>
/// <param name="HeadTokens">Head tokens for head+tail truncation (null = Sun et al.'s share).</param>
/// <param name="WeightsFile">Weights file name, relative to the run directory.</param>
/// <param name="VocabFile">WordPiece vocabulary file name, relative to the run directory.</param>
public sealed record TextModelInfo(
    int FormatVersion,
    string Model,
    string Architecture,
    BertConfig Bert,
    TextPooling Pooling,
    IReadOnlyList<string> Classes,
    int MaxLength,
    TruncationMode Truncation,
    int? HeadTokens,
    string WeightsFile,
    string VocabFile)
{
    /// <summary>The architecture name written for text models.</summary>
    public const string BertArchitecture = "bert";

    /// <summary>The truncation rule.</summary>
    public TextTruncation TruncationRule => new(Truncation, HeadTokens);
}
