using ModelGen.Optimizers;
using ModelGen.Samples.Common;

namespace ModelGen.Samples.Mlp;

/// <summary>One pass over the training set in shuffled mini-batches.</summary>
internal static class Trainer
{
    private const int BatchSize = SpiralNet.MaxBatchSize;
    private const int In = SpiralNet.InputSize, Out = SpiralNet.OutputSize;

    // Reused across epochs: the loop below allocates nothing.
    private static readonly float[] s_batchInputs = new float[BatchSize * In];
    private static readonly float[] s_batchTargets = new float[BatchSize * Out];
    private static int[] s_order = [];

    /// <summary>Trains on every example once, in an order drawn from <paramref name="rng"/>; returns the mean loss.</summary>
    public static float RunEpoch(SpiralNet model, Optimizer optimizer, SpiralData data, Rng rng)
    {
        if (s_order.Length != data.Count)
        {
            s_order = new int[data.Count];
        }

        Batching.Shuffle(s_order, rng);

        double lossSum = 0;
        for (int start = 0; start < data.Count; start += BatchSize)
        {
            int size = Math.Min(BatchSize, data.Count - start);
            for (int i = 0; i < size; i++)
            {
                int row = s_order[start + i];
                data.Inputs.AsSpan(row * In, In).CopyTo(s_batchInputs.AsSpan(i * In));
                data.Targets.AsSpan(row * Out, Out).CopyTo(s_batchTargets.AsSpan(i * Out));
            }

            // TrainStep returns the batch mean; weight by size so a short last batch counts fairly.
            float loss = model.TrainStep(s_batchInputs.AsSpan(0, size * In), s_batchTargets.AsSpan(0, size * Out), size, optimizer);
            lossSum += loss * size;
        }

        return (float)(lossSum / data.Count);
    }
}
