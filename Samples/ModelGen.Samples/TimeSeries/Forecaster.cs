namespace ModelGen.Samples.TimeSeries;

/// <summary>
/// One-step-ahead forecaster: reads the last <see cref="MaxSequenceLength"/> = 48 standardized observations
/// (one feature per step), keeps only the LSTM's last hidden state and maps it to the next value, the
/// learned counterpart of the linear rule Ŷ = β₀ + βᵀZ_T over the window Z_T. 4,513 parameters =
/// 4,480 (LSTM: weight_ih 128 × 1, weight_hh 128 × 32, two biases of 128) + 33 (dense 32 → 1).
/// </summary>
[Model(MaxBatchSize = 32)]
[Input(1, MaxSequenceLength = 48)]
[Lstm(32)]
[Dense(1)]
public partial class Forecaster
{
}
