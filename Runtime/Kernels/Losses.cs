
namespace ModelGen.Kernels;

/// <summary>Loss functions: each returns the batch-mean loss and writes its gradient in one call.</summary>
public static class Losses
{
    /// <summary>Probabilities are clamped to this before the logarithm so a confident wrong answer gives a finite loss.</summary>
    private const double MinProbability = 1e-12;

    /// <summary>
    /// Cross-entropy of already-softmaxed <paramref name="probabilities"/> against <paramref name="targets"/>:
    /// returns (1/rows)·Σ_r −Σ_c y·ln(max(a, 1e-12)) and writes gradient = (a − y)/rows, which is the exact
    /// gradient of softmax followed by cross-entropy with respect to the logits.
    /// </summary>
    /// <param name="probabilities">Softmax outputs a, row-major rows×cols.</param>
    /// <param name="targets">Target distributions y (usually one-hot), rows×cols.</param>
    /// <param name="gradient">Receives the gradient w.r.t. the logits, rows×cols.</param>
    /// <param name="rows">Batch size; positive.</param>
    /// <param name="cols">Number of classes; positive.</param>
    /// <returns>The mean loss over rows.</returns>
    /// <exception cref="ArgumentException">A span is shorter than rows·cols.</exception>
    public static float SoftmaxCrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> targets, Span<float> gradient, int rows, int cols)
    {
        int count = CheckShapes(probabilities.Length, targets.Length, gradient.Length, rows, cols, nameof(probabilities));
        ReadOnlySpan<float> a = probabilities.Slice(0, count);
        ReadOnlySpan<float> y = targets.Slice(0, count);
        Span<float> g = gradient.Slice(0, count);

        double loss = 0;
        for (int i = 0; i < count; i++)
        {
            float t = y[i];
            if (t != 0f) // zero targets contribute nothing; skipping them saves the logarithm
                loss -= t * Math.Log(Math.Max(a[i], MinProbability));
        }
        Elementwise.Subtract(a, y, g);
        Elementwise.Multiply(g, 1f / rows, g);
        return (float)(loss / rows);
    }

    /// <summary>
    /// Mean squared error over all rows·cols elements: returns (1/(rows·cols))·Σ(ŷ − y)² and writes
    /// gradient = 2(ŷ − y)/(rows·cols).
    /// </summary>
    /// <param name="predictions">Predictions ŷ, row-major rows×cols.</param>
    /// <param name="targets">Targets y, rows×cols.</param>
    /// <param name="gradient">Receives the gradient w.r.t. the predictions, rows×cols.</param>
    /// <param name="rows">Batch size; positive.</param>
    /// <param name="cols">Outputs per example; positive.</param>
    /// <returns>The mean squared error.</returns>
    /// <exception cref="ArgumentException">A span is shorter than rows·cols.</exception>
    public static float MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient, int rows, int cols)
    {
        int count = CheckShapes(predictions.Length, targets.Length, gradient.Length, rows, cols, nameof(predictions));
        ReadOnlySpan<float> p = predictions.Slice(0, count);
        ReadOnlySpan<float> y = targets.Slice(0, count);
        Span<float> g = gradient.Slice(0, count);

        // Double accumulation: a float sum over a large batch loses the small residuals near convergence.
        double sum = 0;
        float scale = 2f / count;
        for (int i = 0; i < count; i++)
        {
            float d = p[i] - y[i];
            sum += (double)d * d;
            g[i] = d * scale;
        }
        return (float)(sum / count);
    }

    private static int CheckShapes(int inputLength, int targetLength, int gradientLength, int rows, int cols, string inputName)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        int count = KernelChecks.Elements(rows, cols);
        KernelChecks.AtLeast(inputLength, count, inputName);
        KernelChecks.AtLeast(targetLength, count, "targets");
        KernelChecks.AtLeast(gradientLength, count, "gradient");
        return count;
    }
}
