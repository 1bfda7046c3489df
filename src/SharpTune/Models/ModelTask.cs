namespace SharpTune.Models;

/// <summary>What a zoo model classifies; decides the data, the recipe and the commands' behaviour.</summary>
public enum ModelTask
{
    /// <summary>Images (ResNets).</summary>
    Image,
    /// <summary>Text (BERT encoders).</summary>
    Text,
}
