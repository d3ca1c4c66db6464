using ModelGen.Data;
using ModelGen.Optimizers;
using ModelGen.Samples.Common;

namespace ModelGen.Samples.Shapes;

/// <summary>Training epochs and evaluation of a <see cref="ShapesNet"/>; after construction nothing allocates.</summary>
internal sealed class ShapesTraining
{
    private const int Batch = ShapesNet.MaxBatchSize;
    private const int In = ShapesNet.InputSize, Out = ShapesNet.OutputSize;

    private readonly float[] _batchInputs = new float[Batch * In];
    private readonly float[] _batchTargets = new float[Batch * Out];
    private readonly float[] _outputs = new float[Batch * Out];
    private readonly int[] _order;

    public ShapesTraining(int trainCount) => _order = new int[trainCount];

    /// <summary>
    /// One pass over <paramref name="data"/> in shuffled mini-batches; returns the mean training loss. With
    /// <paramref name="augment"/>, every image enters its batch under a random one of the 8 symmetries of the
    /// square (flips and transposition, which change no class), drawn from that generator.
    /// </summary>
    public float RunEpoch(ShapesNet model, Optimizer optimizer, ShapesDataset data, float[] targets, Rng rng, Rng? augment = null)
    {
        Batching.Shuffle(_order, rng);
        double lossSum = 0;
        for (int start = 0; start < data.Count; start += Batch)
        {
            int size = Math.Min(Batch, data.Count - start);
            for (int i = 0; i < size; i++)
            {
                int row = _order[start + i];
                ReadOnlySpan<float> image = data.Images.AsSpan(row * In, In);
                if (augment is null)
                {
                    image.CopyTo(_batchInputs.AsSpan(i * In));
                }
                else
                {
                    ImageAugmentation.RandomSymmetry(image, _batchInputs.AsSpan(i * In, In), 1, data.Size, data.Size, augment);
                }

                targets.AsSpan(row * Out, Out).CopyTo(_batchTargets.AsSpan(i * Out));
            }

            // TrainStep returns the batch mean; weight by size so a short last batch counts fairly.
            float loss = model.TrainStep(_batchInputs.AsSpan(0, size * In), _batchTargets.AsSpan(0, size * Out), size, optimizer);
            lossSum += loss * size;
        }

        return (float)(lossSum / data.Count);
    }

    /// <summary>
    /// Classifies every image of <paramref name="data"/> (inference mode); adds each to
    /// <paramref name="confusion"/>[true, predicted] where given, and returns the accuracy.
    /// </summary>
    public float Evaluate(ShapesNet model, ShapesDataset data, int[,]? confusion = null)
    {
        int correct = 0;
        for (int start = 0; start < data.Count; start += Batch)
        {
            int size = Math.Min(Batch, data.Count - start);
            Span<float> outputs = _outputs.AsSpan(0, size * Out);
            model.Forward(data.Images.AsSpan(start * In, size * In), outputs, size);
            for (int i = 0; i < size; i++)
            {
                int actual = data.Labels[start + i];
                int predicted = Batching.ArgMax(outputs.Slice(i * Out, Out));
                correct += predicted == actual ? 1 : 0;
                if (confusion is not null)
                {
                    confusion[actual, predicted]++;
                }
            }
        }

        return correct / (float)data.Count;
    }
}
