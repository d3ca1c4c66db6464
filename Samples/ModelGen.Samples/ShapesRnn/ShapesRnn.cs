namespace ModelGen.Samples.ShapesRnn;

/// <summary>
/// Classifies a 20×20 shapes image by reading it row by row: 20 steps of 20 pixels (the row-major 1×20×20 image
/// already is [20 steps][20 features]) through an LSTM of 64 units, whose last hidden state a dense layer maps to
/// 3 logits. 22,211 parameters = 22,016 (LSTM: weight_ih 256 × 20, weight_hh 256 × 64, two biases of 256) +
/// 195 (dense 64 → 3).
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 32)]
[Input(20, MaxSequenceLength = 20)]
[Lstm(64)]
[Dense(3)]
public partial class ShapesRnn
{
}
