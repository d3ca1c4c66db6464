using ModelGen.Optimizers;
using ModelGen.Samples.Common;

namespace ModelGen.Samples.TimeSeries;

/// <summary>
/// Rolling-window training and evaluation of a <see cref="Forecaster"/> on a standardized series: the example
/// for target index t is the window x_{t−T} … x_{t−1} (T = <see cref="Forecaster.MaxSequenceLength"/>) and its
/// target is x_t. After construction nothing allocates.
/// </summary>
internal sealed class WindowTraining
{
    public const int Window = Forecaster.MaxSequenceLength;
    private const int Batch = Forecaster.MaxBatchSize;

    private readonly float[] _batchInputs = new float[Batch * Window];
    private readonly float[] _batchTargets = new float[Batch];
    private readonly float[] _outputs = new float[Batch];
    private readonly int[] _order;

    /// <param name="trainTargets">Number of training windows (their targets are Window … Window + trainTargets − 1).</param>
    public WindowTraining(int trainTargets) => _order = new int[trainTargets];

    /// <summary>
    /// One pass over every training window in shuffled mini-batches (targets t in [Window, Window + count), so
    /// every input and target lies in the training part); returns the mean training loss (MSE, standardized units).
    /// </summary>
    public float RunEpoch(Forecaster model, Optimizer optimizer, ReadOnlySpan<float> series, Rng rng)
    {
        Batching.Shuffle(_order, rng);
        double lossSum = 0;
        for (int start = 0; start < _order.Length; start += Batch)
        {
            int size = Math.Min(Batch, _order.Length - start);
            for (int i = 0; i < size; i++)
            {
                int target = Window + _order[start + i];
                series.Slice(target - Window, Window).CopyTo(_batchInputs.AsSpan(i * Window));
                _batchTargets[i] = series[target];
            }

            // TrainStep returns the batch mean; weight by size so a short last batch counts fairly.
            float loss = model.TrainStep(_batchInputs.AsSpan(0, size * Window), _batchTargets.AsSpan(0, size), size, Window, optimizer);
            lossSum += loss * size;
        }

        return (float)(lossSum / _order.Length);
    }

    /// <summary>
    /// Forecasts every target t in [<paramref name="from"/>, <paramref name="to"/>) from the window before it
    /// (which may reach back into the preceding segment: those values are observed before t) and returns the
    /// root-mean-square error in the standardized units of <paramref name="series"/>.
    /// </summary>
    public double Rmse(Forecaster model, ReadOnlySpan<float> series, int from, int to)
    {
        double squares = 0;
        for (int start = from; start < to; start += Batch)
        {
            int size = Math.Min(Batch, to - start);
            for (int i = 0; i < size; i++)
            {
                series.Slice(start + i - Window, Window).CopyTo(_batchInputs.AsSpan(i * Window));
            }

            model.Forward(_batchInputs.AsSpan(0, size * Window), _outputs.AsSpan(0, size), size, Window);
            for (int i = 0; i < size; i++)
            {
                double error = _outputs[i] - series[start + i];
                squares += error * error;
            }
        }

        return Math.Sqrt(squares / (to - from));
    }

    /// <summary>The RMSE of the naive last-value forecast x̂_t = x_{t−1} over targets t in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static double NaiveRmse(ReadOnlySpan<float> series, int from, int to)
    {
        double squares = 0;
        for (int t = from; t < to; t++)
        {
            double error = series[t - 1] - series[t];
            squares += error * error;
        }

        return Math.Sqrt(squares / (to - from));
    }
}
