using ModelGen;

namespace ModelGen.Bench;

// The benchmark workloads of docs/benchmarks.md, declared exactly as a user would (same shapes as the peers).

/// <summary>W1/W2: MLP 784 → 128 ReLU → 10, softmax cross-entropy.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(784)]
[Dense(128, Activation = Activation.ReLU)]
[Dense(10)]
public partial class MlpNet
{
}

/// <summary>W3 (hidden 32): LSTM(1 → 32) + Dense(32 → 1), streamed one step at a time with <c>Step</c>.</summary>
[Model(MaxBatchSize = 1)]
[Input(1, MaxSequenceLength = 1)]
[Lstm(32)]
[Dense(1)]
public partial class StreamingLstm32
{
}

/// <summary>W3 (hidden 128): LSTM(1 → 128) + Dense(128 → 1), streamed one step at a time with <c>Step</c>.</summary>
[Model(MaxBatchSize = 1)]
[Input(1, MaxSequenceLength = 1)]
[Lstm(128)]
[Dense(1)]
public partial class StreamingLstm128
{
}

/// <summary>W4: LSTM(1 → 64) over 50 steps, last state → Dense(64 → 1), MSE.</summary>
[Model(MaxBatchSize = 32)]
[Input(1, MaxSequenceLength = 50)]
[Lstm(64)]
[Dense(1)]
public partial class LstmRegressor
{
}

/// <summary>W5: one-hot characters (vocabulary 65) → GRU 128 over 64 steps → Dense 128 → 65 at every step, cross-entropy.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 16)]
[Input(65, MaxSequenceLength = 64)]
[Gru(128, ReturnSequences = true)]
[Dense(65)]
public partial class CharGru
{
}

/// <summary>W6: the shapes CNN, 1×20×20 → Conv2D 32 3×3 ReLU → MaxPool 2 → Flatten 2592 → Dense 64 ReLU → Dense 3.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(1, 20, 20)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(64, Activation = Activation.ReLU)]
[Dense(3)]
public partial class ShapesCnn
{
}
