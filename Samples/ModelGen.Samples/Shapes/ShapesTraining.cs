using ModelGen.Data;
using ModelGen.Optimizers;
using ModelGen.Samples.Common;

namespace ModelGen.Samples.Shapes;

/// <summary>
/// Training epochs and evaluation of any model that reads a whole shapes image as one example (the CNN's
/// 1 × 20 × 20 input, or an RNN's 20 steps of 20 pixels, which is the same row-major layout); after
/// construction nothing allocates.
/// </summary>
internal sealed class ShapesTraining<TModel>
    where TModel : IModel
{
    private readonly int _batch, _in, _out;
    private readonly float[] _batchInputs;
    private readonly float[] _batchTargets;
    private readonly float[] _outputs;
    private readonly int[] _order;

    /// <param name="model">Gives the batch size and the number of outputs.</param>
    /// <param name="pixelsPerImage">Floats per example: one image (for a sequence model, steps × features).</param>
    /// <param name="trainCount">Images per training epoch.</param>
    public ShapesTraining(TModel model, int pixelsPerImage, int trainCount)
    {
        _batch = model.MaxBatchSize;
        _in = pixelsPerImage;
        _out = model.OutputSize;
        _batchInputs = new float[_batch * _in];
        _batchTargets = new float[_batch * _out];
        _outputs = new float[_batch * _out];
        _order = new int[trainCount];
    }

    /// <summary>
    /// One pass over <paramref name="data"/> in shuffled mini-batches; returns the mean training loss. With
    /// <paramref name="augment"/>, every image enters its batch under a random one of the 8 symmetries of the
    /// square (flips and transposition, which change no class), drawn from that generator.
    /// </summary>
    public float RunEpoch(TModel model, Optimizer optimizer, ShapesDataset data, float[] targets, Rng rng, Rng? augment = null)
    {
        int batch = _batch, pixels = _in, outputs = _out;
        Batching.Shuffle(_order, rng);
        double lossSum = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int size = Math.Min(batch, data.Count - start);
            for (int i = 0; i < size; i++)
            {
                int row = _order[start + i];
                ReadOnlySpan<float> image = data.Images.AsSpan(row * pixels, pixels);
                if (augment is null)
                {
                    image.CopyTo(_batchInputs.AsSpan(i * pixels));
                }
                else
                {
                    ImageAugmentation.RandomSymmetry(image, _batchInputs.AsSpan(i * pixels, pixels), 1, data.Size, data.Size, augment);
                }

                targets.AsSpan(row * outputs, outputs).CopyTo(_batchTargets.AsSpan(i * outputs));
            }

            // TrainStep returns the batch mean; weight by size so a short last batch counts fairly.
            float loss = model.TrainStep(_batchInputs.AsSpan(0, size * pixels), _batchTargets.AsSpan(0, size * outputs), size, optimizer);
            lossSum += loss * size;
        }

        return (float)(lossSum / data.Count);
    }

    /// <summary>
    /// Classifies every image of <paramref name="data"/> (inference mode); adds each to
    /// <paramref name="confusion"/>[true, predicted] where given, and returns the accuracy.
    /// </summary>
    public float Evaluate(TModel model, ShapesDataset data, int[,]? confusion = null)
    {
        int batch = _batch, pixels = _in, outputsPerImage = _out;
        int correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int size = Math.Min(batch, data.Count - start);
            Span<float> outputs = _outputs.AsSpan(0, size * outputsPerImage);
            model.Forward(data.Images.AsSpan(start * pixels, size * pixels), outputs, size);
            for (int i = 0; i < size; i++)
            {
                int actual = data.Labels[start + i];
                int predicted = Batching.ArgMax(outputs.Slice(i * outputsPerImage, outputsPerImage));
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
