using SharpTune.Models.Bert;

namespace SharpTune.Models;

/// <summary>The text side of a zoo entry: the encoder's shape and its vocabulary.</summary>
/// <param name="Bert">The BERT shape (a Hugging Face checkpoint given with <c>--weights DIR</c> brings its own).</param>
/// <param name="Vocabulary">Reads the <c>vocab.txt</c> bytes of the bundled tokenizer.</param>
/// <param name="VocabularySource">Where the vocabulary comes from, for <c>models list</c>.</param>
public sealed record TextModelSpec(BertConfig Bert, Func<byte[]> Vocabulary, string VocabularySource);
