namespace ModelGen.Tests.Models;

// Recurrent models compiled by the generator in this project: the worked example of the lecture notes,
// every cell and variant for gradient checks, and the "hello" character model.

/// <summary>The worked example: identity activation, b = 0; outputs the states s_t.</summary>
[Model(MaxBatchSize = 1)]
[Input(2, MaxSequenceLength = 2)]
[SimpleRnn(2, Activation = Activation.Identity, ReturnSequences = true)]
public partial class WorkedRnnStates
{
}

/// <summary>The worked example with its output layer z_t = V s_t + d and softmax a_t.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 1)]
[Input(2, MaxSequenceLength = 2)]
[SimpleRnn(2, Activation = Activation.Identity, ReturnSequences = true)]
[Dense(2)]
public partial class WorkedRnn
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[SimpleRnn(4, ReturnSequences = true)]
[Dense(2)]
public partial class TanhRnnNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[SimpleRnn(4, Activation = Activation.Sigmoid)]
[Dense(2)]
public partial class SigmoidRnnNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[SimpleRnn(4, Activation = Activation.ReLU, ReturnSequences = true)]
[Dense(2)]
public partial class ReluRnnNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[SimpleRnn(4, Activation = Activation.Identity)]
[Dense(2)]
public partial class IdentityRnnNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(4)]
[Dense(2)]
public partial class LstmNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(4, Peepholes = true, ReturnSequences = true)]
[Dense(2)]
public partial class PeepholeLstmNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(4, CoupledGates = true)]
[Dense(2)]
public partial class CoupledLstmNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(4, CoupledGates = true, Peepholes = true, ReturnSequences = true)]
[Dense(2)]
public partial class CoupledPeepholeLstmNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Gru(4, ReturnSequences = true)]
[Dense(2)]
public partial class GruNet
{
}

[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Gru(4, ResetAfter = false)]
[Dense(2)]
public partial class ClassicGruNet
{
}

/// <summary>Bidirectional layers, returning sequences and then the last state.</summary>
[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 5)]
[Lstm(3, Bidirectional = true, ReturnSequences = true)]
[Gru(3, Bidirectional = true)]
[Dense(2)]
public partial class BidirectionalNet
{
}

/// <summary>Three recurrent layers stacked, with a per-step dense layer before them.</summary>
[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 5)]
[Dense(4, Activation = Activation.Tanh)]
[SimpleRnn(4, ReturnSequences = true)]
[Lstm(4, ReturnSequences = true)]
[Gru(3)]
[Dense(2)]
public partial class StackedRnnNet
{
}

/// <summary>Token ids through an embedding, a GRU over every step and a softmax per step.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(1, MaxSequenceLength = 6)]
[Embedding(7, 4)]
[Gru(5, ReturnSequences = true)]
[Dense(7)]
public partial class EmbeddingGruNet
{
}

/// <summary>Variational input and recurrent dropout.</summary>
[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(4, Dropout = 0.3, RecurrentDropout = 0.3, ReturnSequences = true)]
[Gru(3, Dropout = 0.2, RecurrentDropout = 0.25)]
[Dense(2)]
public partial class RecurrentDropoutNet
{
}

/// <summary>The "hello" character model: vocabulary h, e, l, o one-hot, a softmax over the next character.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 1)]
[Input(4, MaxSequenceLength = 4)]
[SimpleRnn(8, ReturnSequences = true)]
[Dense(4)]
public partial class HelloRnn
{
}

/// <summary>A streaming LSTM for a predictor's packed step (H a multiple of 32), three inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(3, MaxSequenceLength = 8)]
[Lstm(160)]
[Dense(2)]
public partial class WideStreamingLstm
{
}

/// <summary>A streaming GRU (reset after) for a predictor's packed step, two inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(2, MaxSequenceLength = 8)]
[Gru(128)]
[Dense(2)]
public partial class WideStreamingGru
{
}

/// <summary>The narrowest streaming LSTM a predictor packs (H = 32, one block of units at 512 bits), one input: W3's shape.</summary>
[Model(MaxBatchSize = 2)]
[Input(1, MaxSequenceLength = 8)]
[Lstm(32)]
[Dense(1)]
public partial class NarrowStreamingLstm
{
}

/// <summary>A streaming GRU (reset after) of two blocks of units at 512 bits (H = 64), two inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(2, MaxSequenceLength = 8)]
[Gru(64)]
[Dense(2)]
public partial class NarrowStreamingGru
{
}

/// <summary>Two packed recurrent layers in one predictor: an LSTM (H = 32) feeding a GRU (H = 64), two inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(2, MaxSequenceLength = 8)]
[Lstm(32, ReturnSequences = true)]
[Gru(64)]
[Dense(2)]
public partial class NarrowStackedStreaming
{
}

/// <summary>A streaming LSTM whose H (50) is not a multiple of 32: its predictor packs W_hh with padded units, two inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(2, MaxSequenceLength = 8)]
[Lstm(50)]
[Dense(2)]
public partial class OddStreamingLstm
{
}

/// <summary>A streaming GRU (reset after) with H = 20 (one padded block), one input.</summary>
[Model(MaxBatchSize = 2)]
[Input(1, MaxSequenceLength = 8)]
[Gru(20)]
[Dense(1)]
public partial class OddStreamingGru
{
}

/// <summary>A streaming simple RNN (ReLU) for a predictor's packed step, two inputs.</summary>
[Model(MaxBatchSize = 2)]
[Input(2, MaxSequenceLength = 8)]
[SimpleRnn(40, Activation = Activation.ReLU)]
[Dense(2)]
public partial class StreamingReluRnn
{
}
