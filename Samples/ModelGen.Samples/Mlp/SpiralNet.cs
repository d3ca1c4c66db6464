namespace ModelGen.Samples.Mlp;

/// <summary>
/// Classifies a 2-D point into one of the three spiral arms. The generator adds the forward, backward
/// and training code for this layer stack at build time.
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(2)]
[Dense(64, Activation = Activation.ReLU)]
[Dense(64, Activation = Activation.ReLU)]
[Dense(3)]
public partial class SpiralNet
{
}
