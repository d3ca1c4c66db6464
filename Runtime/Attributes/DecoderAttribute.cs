namespace ModelGen;

/// <summary>
/// Splits the layer stack into an encoder (the layers above this attribute, reading <see cref="InputAttribute"/>)
/// and a decoder (the layers below it), for sequence-to-sequence and one-to-many models. The decoder reads its own
/// input sequence (the previous output token, one-hot or as a token id for an <see cref="EmbeddingAttribute"/>: teacher
/// forcing in training, its own prediction in greedy decoding) and emits one output per step.
/// <para>
/// How the encoder seeds the decoder, checked at compile time: when the encoder ends with a recurrent layer, each
/// encoder recurrent layer's final state (h, and c for LSTM) initializes the decoder recurrent layer at the same depth,
/// so both stacks need the same number of recurrent layers of the same kind and size. Otherwise the encoder's output
/// is a vector (e.g. an image embedding or a class) that initializes the hidden state of the decoder's first
/// recurrent layer, so its size must equal that layer's units.
/// </para>
/// </summary>
/// <example>
/// <code>
/// [Model(Loss = Loss.SoftmaxCrossEntropy)]
/// [Input(12, MaxSequenceLength = 10)]
/// [Lstm(128)]
/// [Decoder(12, MaxSequenceLength = 11)]
/// [Lstm(128, ReturnSequences = true)]
/// [Dense(12)]
/// public partial class Reverser { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DecoderAttribute : Attribute
{
    /// <param name="inputSize">Features per decoder step: the vocabulary for one-hot tokens, 1 for a token id.</param>
    public DecoderAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Features per decoder input step.</summary>
    public int InputSize { get; }

    /// <summary>The longest output sequence the buffers are sized for (required, positive).</summary>
    public int MaxSequenceLength { get; set; }
}
