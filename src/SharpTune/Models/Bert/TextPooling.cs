namespace SharpTune.Models.Bert;

/// <summary>How a sequence classifier turns the encoder's token vectors into one vector per text.</summary>
public enum TextPooling
{
    /// <summary>BERT's pooled output: <c>tanh(pooler.dense(h[CLS]))</c> (HF <c>BertForSequenceClassification</c>).</summary>
    Cls,
    /// <summary>Mean of the real tokens' last hidden states (sentence-transformers; what all-MiniLM-L6-v2 was trained with).</summary>
    Mean,
}
