namespace ModelGen.Tests.Models;

// Twins of the PyTorch modules in Generator.Tests/Fixtures/make_fixtures.py: same layers, same state_dict
// names and shapes, so the fixtures' weights load into them and their outputs must match PyTorch's.

/// <summary>dense1 = Linear(4, 8), ReLU, dense2 = Linear(8, 3), softmax.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(4)]
[Dense(8, Activation = Activation.ReLU)]
[Dense(3)]
public partial class TorchMlp
{
}

/// <summary>conv1 = Conv2d(1, 4, 3), ReLU, MaxPool2d(2), flatten, dense1 = Linear(36, 3), softmax.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(1, 8, 8)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
public partial class TorchCnn
{
}

/// <summary>lstm1 = LSTM(3, 5, batch_first=True), last hidden state, dense1 = Linear(5, 2).</summary>
[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 6)]
[Lstm(5)]
[Dense(2)]
public partial class TorchLstm
{
}

/// <summary>gru1 = GRU(3, 4, batch_first=True), every step, dense1 = Linear(4, 2) per step.</summary>
[Model(MaxBatchSize = 4)]
[Input(3, MaxSequenceLength = 5)]
[Gru(4, ReturnSequences = true)]
[Dense(2)]
public partial class TorchGru
{
}
