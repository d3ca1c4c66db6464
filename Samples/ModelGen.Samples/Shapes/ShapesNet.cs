namespace ModelGen.Samples.Shapes;

/// <summary>
/// Tells 20×20 images of a rectangle, a circle or lines apart: 32 3×3 filters (18×18×32), 2×2 max pooling
/// (9×9×32), a dense ReLU layer of 64 with dropout, and 3 logits. 166,467 parameters = 320 (conv) +
/// 165,952 (dense 2592 → 64) + 195 (dense 64 → 3).
/// </summary>
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
