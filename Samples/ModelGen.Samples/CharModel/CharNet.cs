namespace ModelGen.Samples.CharModel;

/// <summary>
/// Character-level language model: each step reads one character id, embeds it in 32 dimensions, runs it through
/// two stacked GRUs of 128 units and predicts the next character (softmax over the vocabulary at every step).
/// Trained on chunks of 64 steps from 16 parallel text streams with the state carried between chunks.
/// </summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 16)]
[Input(1, MaxSequenceLength = 64)]
[Embedding(CharVocabulary.Size, 32)]
[Gru(128, ReturnSequences = true)]
[Gru(128, ReturnSequences = true)]
[Dense(CharVocabulary.Size)]
public partial class CharNet
{
}
