namespace ModelGen;

/// <summary>
/// A learned lookup table from token ids to dense vectors, the dense alternative to one-hot input. Must be
/// the first layer; each input step holds one token id (an integer in [0, vocabulary) stored as a float).
/// Stored as PyTorch <c>nn.Embedding.weight</c>, vocabulary × dimension.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : Attribute
{
    public EmbeddingAttribute(int vocabulary, int dimension)
    {
        Vocabulary = vocabulary;
        Dimension = dimension;
    }

    public int Vocabulary { get; }

    public int Dimension { get; }
}
