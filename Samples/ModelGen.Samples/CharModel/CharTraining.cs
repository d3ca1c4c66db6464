using ModelGen.Optimizers;

namespace ModelGen.Samples.CharModel;

/// <summary>
/// Stateful truncated BPTT over a text cut into parallel streams: stream b is the b-th contiguous slice of the
/// text, and chunk c of every stream is one mini-batch row of at most 64 steps (input: the characters, target:
/// the characters one position later). <see cref="CharNet.CarryState"/> hands each chunk the state the previous
/// chunk ended with, while gradients stop at chunk boundaries. After construction nothing allocates.
/// </summary>
internal sealed class CharTraining
{
    private const int MaxStreams = CharNet.MaxBatchSize, Chunk = CharNet.MaxSequenceLength, Vocabulary = CharNet.OutputSize;

    private readonly float[] _inputs = new float[MaxStreams * Chunk];
    private readonly float[] _targets = new float[MaxStreams * Chunk * Vocabulary];

    /// <summary>One pass over <paramref name="text"/> in <see cref="CharNet.MaxBatchSize"/> streams; returns the mean loss per character (nats).</summary>
    public double RunEpoch(CharNet model, Optimizer optimizer, ReadOnlySpan<byte> text) =>
        Pass(model, text, MaxStreams, optimizer);

    /// <summary>
    /// The mean cross-entropy (nats) of predicting every character of <paramref name="text"/> from the ones before
    /// it, in inference mode, read as <paramref name="streams"/> parallel streams (1: the whole text, exactly).
    /// </summary>
    public double Evaluate(CharNet model, ReadOnlySpan<byte> text, int streams = 1) => Pass(model, text, streams, null);

    private double Pass(CharNet model, ReadOnlySpan<byte> text, int streams, Optimizer? optimizer)
    {
        // Each stream predicts its characters 1 … length − 1; the few characters past streams × length are unused.
        int length = text.Length / streams;
        model.ResetState();
        model.CarryState = true;
        double lossSum = 0;
        long predicted = 0;
        for (int start = 0; start < length - 1; start += Chunk)
        {
            int steps = Math.Min(Chunk, length - 1 - start);
            Fill(text, streams, length, start, steps);
            ReadOnlySpan<float> inputs = _inputs.AsSpan(0, streams * steps);
            ReadOnlySpan<float> targets = _targets.AsSpan(0, streams * steps * Vocabulary);
            float loss = optimizer is null
                ? model.ComputeLoss(inputs, targets, streams, steps)
                : model.TrainStep(inputs, targets, streams, steps, optimizer);

            // The loss is the mean over streams × steps characters; weight by steps so a short last chunk counts fairly.
            lossSum += (double)loss * steps * streams;
            predicted += (long)steps * streams;
        }

        model.CarryState = false;
        return lossSum / predicted;
    }

    /// <summary>Lays out chunk [start, start + steps) of every stream as [stream][step]: ids as floats, next ids one-hot.</summary>
    private void Fill(ReadOnlySpan<byte> text, int streams, int length, int start, int steps)
    {
        Span<float> targets = _targets.AsSpan(0, streams * steps * Vocabulary);
        targets.Clear();
        for (int b = 0; b < streams; b++)
        {
            ReadOnlySpan<byte> chunk = text.Slice(b * length + start, steps + 1);
            for (int t = 0; t < steps; t++)
            {
                int row = b * steps + t;
                _inputs[row] = chunk[t];
                targets[row * Vocabulary + chunk[t + 1]] = 1;
            }
        }
    }
}
