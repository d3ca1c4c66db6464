using ModelGen.Samples.Common;

namespace ModelGen.Samples.Mlp;

/// <summary>Accuracy of a <see cref="SpiralNet"/> on a data set, using batched inference.</summary>
internal sealed class Classification
{
    // Preallocated once so that evaluating after every epoch allocates nothing.
    private readonly float[] _outputs = new float[SpiralNet.MaxBatchSize * SpiralNet.OutputSize];

    public float Accuracy(SpiralNet model, SpiralData data)
    {
        const int batch = SpiralNet.MaxBatchSize, n = SpiralNet.OutputSize;
        int correct = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int size = Math.Min(batch, data.Count - start);
            Span<float> outputs = _outputs.AsSpan(0, size * n);
            model.Forward(data.Inputs.AsSpan(start * SpiralData.Features, size * SpiralData.Features), outputs, size);
            for (int i = 0; i < size; i++)
            {
                ReadOnlySpan<float> target = data.Targets.AsSpan((start + i) * n, n);
                if (Batching.ArgMax(outputs.Slice(i * n, n)) == Batching.ArgMax(target))
                {
                    correct++;
                }
            }
        }

        return correct / (float)data.Count;
    }
}
