namespace ModelGen.Tests.Models;

/// <summary>The shapes network of mission.md §2: 320 + 165,952 + 195 = 166,467 parameters.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(1, 20, 20)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(64, Activation = Activation.ReLU)]
[Dropout(0.5)]
[Dense(3)]
public partial class ShapesNet
{
}

/// <summary>The worked shape example: 28×28 → 16 maps of 26×26 → 13×13×16 → 2704 → 10.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(1, 28, 28)]
[Conv2D(16, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(10)]
public partial class DigitsNet
{
}

/// <summary>Multi-channel input, non-square kernel, valid padding.</summary>
[Model(MaxBatchSize = 4)]
[Input(2, 6, 7)]
[Conv2D(3, 3, 2, Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
public partial class RectKernelConvNet
{
}

/// <summary>Stride 2 with same padding, then different strides and explicit pads per axis, into cross-entropy.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(1, 7, 7)]
[Conv2D(2, 3, Stride = 2, Padding = Padding.Same, Activation = Activation.Sigmoid)]
[Conv2D(3, 2, 3, StrideHeight = 1, StrideWidth = 2, PadHeight = 1, PadWidth = 0)]
[Flatten]
[Dense(3)]
public partial class StridedConvNet
{
}

/// <summary>Max pooling then overlapping average pooling.</summary>
[Model(MaxBatchSize = 4)]
[Input(2, 6, 6)]
[Conv2D(2, 3, Padding = Padding.Same, Activation = Activation.Tanh)]
[MaxPool2D(2)]
[AvgPool2D(2, Stride = 1)]
[Flatten]
[Dense(2)]
public partial class PoolingNet
{
}

/// <summary>A residual block of two convolutions with a ReLU-free tanh closing.</summary>
[Model(MaxBatchSize = 4)]
[Input(2, 5, 5)]
[Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.Tanh)]
[Residual]
[Conv2D(3, 3, Padding = Padding.Same, Activation = Activation.Tanh)]
[Conv2D(3, 3, Padding = Padding.Same)]
[ResidualEnd(Activation = Activation.Tanh)]
[Flatten]
[Dense(2)]
public partial class ResidualNet
{
}

/// <summary>Layer normalization of a hidden vector and of an image.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 4)]
[Input(2, 3, 3)]
[LayerNorm]
[Flatten]
[Dense(5, Activation = Activation.Tanh)]
[LayerNorm]
[Dense(3)]
public partial class LayerNormNet
{
}

/// <summary>Batch normalization over channels of feature maps and over features of a vector.</summary>
[Model(MaxBatchSize = 8)]
[Input(2, 4, 4)]
[Conv2D(3, 3, Padding = Padding.Same)]
[BatchNorm]
[Flatten]
[Dense(4, Activation = Activation.Tanh)]
[BatchNorm(Momentum = 0.2)]
[Dense(2)]
public partial class BatchNormNet
{
}

/// <summary>A first ReLU convolution into a max pooling: its weight gradient comes straight from the pooled gradient
/// (an even filter count: the flat-grid kernel).</summary>
[Input(1, 8, 10)]
[Conv2D(4, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
[Model(MaxBatchSize = 4)]
public partial class ReluPoolNet
{
}

/// <summary>The same with an odd filter count: the arg-max scatter, then the convolution's weight-gradient kernel.</summary>
[Input(1, 8, 10)]
[Conv2D(3, 3, Activation = Activation.ReLU)]
[MaxPool2D(2)]
[Flatten]
[Dense(3)]
[Model(MaxBatchSize = 4)]
public partial class ReluPoolOddNet
{
}
