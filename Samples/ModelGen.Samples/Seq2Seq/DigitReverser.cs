namespace ModelGen.Samples.Seq2Seq;

/// <summary>
/// An encoder–decoder that writes a digit string backwards. The encoder LSTM reads the digits one-hot; its final
/// hidden and cell states start the decoder LSTM, which reads the previous output token (start, digits; one-hot over
/// the <see cref="DigitTask.Vocabulary"/> = 12 tokens) and predicts the next one, ending with the end token.
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 64)]
[Input(DigitTask.Digits, MaxSequenceLength = DigitTask.MaxLength)]
[Lstm(128)]
[Decoder(DigitTask.Vocabulary, MaxSequenceLength = DigitTask.MaxLength + 1)]
[Lstm(128, ReturnSequences = true)]
[Dense(DigitTask.Vocabulary)]
public partial class DigitReverser
{
}
