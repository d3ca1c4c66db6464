using System.Numerics.Tensors;

namespace ModelGen.Training;

/// <summary>Inference-mode loss and metric over a range of rows; after construction it allocates nothing.</summary>
internal sealed class Evaluator
{
    private readonly IModel _model;
    private readonly DataLayout _layout;
    private readonly float[] _outputs;

    public Evaluator(IModel model, DataLayout layout)
    {
        _model = model;
        _layout = layout;
        _outputs = new float[model.MaxBatchSize * layout.TargetWidth];
    }

    /// <summary>Mean loss per example of rows [start, start + count), or NaN when <paramref name="withLoss"/> is false.</summary>
    public double Loss(TrainingData data, int start, int count, bool withLoss = true)
    {
        if (!withLoss)
        {
            return double.NaN;
        }

        double sum = 0;
        int batch = _model.MaxBatchSize;
        for (int offset = 0; offset < count; offset += batch)
        {
            int size = Math.Min(batch, count - offset);
            ReadOnlySpan<float> inputs = data.Inputs.AsSpan((start + offset) * _layout.InputWidth, size * _layout.InputWidth);
            ReadOnlySpan<float> targets = data.Targets.AsSpan((start + offset) * _layout.TargetWidth, size * _layout.TargetWidth);
            float loss = _layout.Sequence is { } sequence
                ? sequence.ComputeLoss(inputs, targets, size, _layout.Steps)
                : _model.ComputeLoss(inputs, targets, size);
            sum += (double)loss * size;
        }

        return sum / count;
    }

    /// <summary>The metric over rows [start, start + count).</summary>
    public double Metric(TrainingData data, int start, int count, MetricKind metric)
    {
        int batch = _model.MaxBatchSize, rowWidth = _model.OutputSize, width = _layout.TargetWidth;
        long correct = 0, rows = 0;
        double squares = 0;
        for (int offset = 0; offset < count; offset += batch)
        {
            int size = Math.Min(batch, count - offset);
            ReadOnlySpan<float> inputs = data.Inputs.AsSpan((start + offset) * _layout.InputWidth, size * _layout.InputWidth);
            ReadOnlySpan<float> targets = data.Targets.AsSpan((start + offset) * width, size * width);
            Span<float> outputs = _outputs.AsSpan(0, size * width);
            if (_layout.Sequence is { } sequence)
            {
                sequence.Forward(inputs, outputs, size, _layout.Steps);
            }
            else
            {
                _model.Forward(inputs, outputs, size);
            }

            if (metric == MetricKind.Accuracy)
            {
                for (int r = 0; r < outputs.Length; r += rowWidth)
                {
                    correct += ArgMax(outputs.Slice(r, rowWidth)) == ArgMax(targets.Slice(r, rowWidth)) ? 1 : 0;
                    rows++;
                }
            }
            else
            {
                for (int i = 0; i < outputs.Length; i++)
                {
                    double d = outputs[i] - targets[i];
                    squares += d * d;
                }
            }
        }

        return metric == MetricKind.Accuracy ? correct / (double)rows : Math.Sqrt(squares / ((double)count * width));
    }

    /// <summary>True when every row of <paramref name="data"/>'s targets, split into output rows, is one-hot.</summary>
    public static bool IsOneHot(TrainingData data, int rowWidth)
    {
        ReadOnlySpan<float> targets = data.Targets;
        for (int r = 0; r < targets.Length; r += rowWidth)
        {
            int ones = 0;
            foreach (float t in targets.Slice(r, rowWidth))
            {
                if (t == 1)
                {
                    ones++;
                }
                else if (t != 0)
                {
                    return false;
                }
            }

            if (ones != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when no element is NaN or infinite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values) =>
        values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
