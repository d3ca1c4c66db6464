namespace ModelGen.Tests.Models;

// Small models compiled by the generator in this very project, as a user's would be. The tests run the
// generated code: gradient checks, numerics, allocation, determinism and argument checks.

/// <summary>Every hidden activation, with the mean-squared-error loss and a linear output.</summary>
[Model(MaxBatchSize = 8)]
[Input(5)]
[Dense(6, Activation = Activation.Tanh)]
[Dense(5, Activation = Activation.Sigmoid)]
[Dense(4, Activation = Activation.ReLU)]
[Dense(3)]
public partial class ActivationStackNet
{
}

/// <summary>MSE through a sigmoid output: the loss gradient must pass through the output activation.</summary>
[Model(MaxBatchSize = 4)]
[Input(4)]
[Dense(3, Activation = Activation.Sigmoid)]
public partial class SigmoidOutputNet
{
}

/// <summary>Image input, flatten, dropout and an explicit softmax output with cross-entropy.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 6)]
[Input(1, 3, 3)]
[Flatten]
[Dense(7, Activation = Activation.Tanh)]
[Dropout(0.3)]
[Dense(4, Activation = Activation.Softmax)]
public partial class DropoutSoftmaxNet
{
}

/// <summary>Cross-entropy on an identity (logits) output layer.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(6)]
[Dense(5, Activation = Activation.ReLU)]
[Dense(3)]
public partial class LogitsNet
{
}

/// <summary>Dense 2 → 2 with no activation, for hand-computed values.</summary>
[Model(MaxBatchSize = 2)]
[Input(2)]
[Dense(2)]
public partial class TinyLinear
{
}
