namespace ModelGen.Tests.Models;

/// <summary>
/// Reverses three symbols of a four-symbol alphabet. Tokens 0–3 are symbols, 4 the start token, 5 the end token;
/// both sides read one-hot rows over all six, so greedy decoding can feed the output back.
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 64)]
[Input(6, MaxSequenceLength = 3)]
[Lstm(16)]
[Decoder(6, MaxSequenceLength = 4)]
[Lstm(16, ReturnSequences = true)]
[Dense(6)]
public partial class SymbolReverser
{
}

/// <summary>Dropout everywhere a training pass can draw masks: encoder and decoder inputs and states, and the decoder's output.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 5)]
[Lstm(4, Dropout = 0.3, RecurrentDropout = 0.3)]
[Decoder(3, MaxSequenceLength = 4)]
[Lstm(4, ReturnSequences = true, Dropout = 0.2, RecurrentDropout = 0.25)]
[Dropout(0.3)]
[Dense(3)]
public partial class DropoutSeq2Seq
{
}

/// <summary>One-to-many whose encoder normalizes with batch statistics in training passes.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(4)]
[Dense(5)]
[BatchNorm]
[Dense(5, Activation = Activation.Tanh)]
[Decoder(3, MaxSequenceLength = 4)]
[Lstm(5, ReturnSequences = true)]
[Dense(3)]
public partial class BatchNormToSequence
{
}
