namespace ModelGen.Tests.Models;

// Encoder–decoder and one-to-many models compiled by the generator in this project, one per way the encoder can
// seed the decoder: recurrent states layer by layer (LSTM with its cell, GRU, SimpleRNN) or an output vector.

/// <summary>Two LSTM layers each side (one with peepholes): states h and c pass layer by layer.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 5)]
[Lstm(4, ReturnSequences = true, Peepholes = true)]
[Lstm(4)]
[Decoder(3, MaxSequenceLength = 4)]
[Lstm(4, ReturnSequences = true)]
[Lstm(4, ReturnSequences = true, Peepholes = true)]
[Dense(3)]
public partial class LstmSeq2Seq
{
}

/// <summary>Token ids on both sides, read by embeddings; a GRU hands its state over.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(1, MaxSequenceLength = 5)]
[Embedding(6, 3)]
[Gru(5)]
[Decoder(1, MaxSequenceLength = 4)]
[Embedding(6, 3)]
[Gru(5, ReturnSequences = true)]
[Dense(6)]
public partial class GruSeq2Seq
{
}

/// <summary>A regression encoder–decoder: SimpleRNN states, mean-squared error, classic GRU not involved.</summary>
[Model(MaxBatchSize = 4)]
[Input(2, MaxSequenceLength = 5)]
[SimpleRnn(3)]
[Decoder(2, MaxSequenceLength = 3)]
[SimpleRnn(3, ReturnSequences = true)]
[Dense(2)]
public partial class RnnSeq2Seq
{
}

/// <summary>One-to-many: a vector, through a dense layer, becomes the initial hidden state of an LSTM decoder.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(4)]
[Dense(5, Activation = Activation.Tanh)]
[Decoder(3, MaxSequenceLength = 4)]
[Lstm(5, ReturnSequences = true)]
[Dense(3)]
public partial class VectorToSequence
{
}

/// <summary>One-to-many with no encoder layers: the input vector is the first GRU's state; the second starts from zeros.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(5)]
[Decoder(3, MaxSequenceLength = 4)]
[Gru(5, ReturnSequences = true)]
[Gru(4, ReturnSequences = true)]
[Dense(3)]
public partial class DirectVectorToSequence
{
}

/// <summary>A sequence summarized by an LSTM and a dense layer into a vector that seeds the decoder.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(2, MaxSequenceLength = 5)]
[Lstm(4)]
[Dense(6, Activation = Activation.Tanh)]
[Decoder(3, MaxSequenceLength = 4)]
[Lstm(6, ReturnSequences = true)]
[Dense(3)]
public partial class SummaryToSequence
{
}
