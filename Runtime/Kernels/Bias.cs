
namespace ModelGen.Kernels;

/// <summary>Per-column bias: broadcast add in the forward pass, column sums in the backward pass.</summary>
public static class Bias
{
    /// <summary>y[r, c] += bias[c] for a row-major rows×cols matrix.</summary>
    /// <param name="y">Matrix; only the first rows·cols elements are used.</param>
    /// <param name="bias">Bias vector; only the first cols elements are used.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void AddRows(Span<float> y, ReadOnlySpan<float> bias, int rows, int cols)
    {
        KernelChecks.AtLeast(y.Length, KernelChecks.Elements(rows, cols), nameof(y));
        KernelChecks.AtLeast(bias.Length, cols, nameof(bias));
        ReadOnlySpan<float> b = bias.Slice(0, cols);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = y.Slice(r * cols, cols);
            Elementwise.Add(row, b, row);
        }
    }

    /// <summary>biasGradient[c] = Σ_r dy[r, c] for a row-major rows×cols matrix (<see cref="AccumulateRowSums"/> into
    /// zeros, for a caller that does not clear the gradient buffer).</summary>
    /// <param name="dy">Matrix; only the first rows·cols elements are used.</param>
    /// <param name="biasGradient">Receives the column sums; only the first cols elements are written.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void RowSums(ReadOnlySpan<float> dy, Span<float> biasGradient, int rows, int cols)
    {
        KernelChecks.AtLeast(biasGradient.Length, cols, nameof(biasGradient));
        KernelChecks.AtLeast(dy.Length, KernelChecks.Elements(rows, cols), nameof(dy)); // before anything is written
        biasGradient.Slice(0, cols).Clear(); // one bias vector: the whole gradient buffer is what is no longer cleared
        AccumulateRowSums(dy, biasGradient, rows, cols);
    }

    /// <summary>biasGradient[c] += Σ_r dy[r, c] for a row-major rows×cols matrix.</summary>
    /// <param name="dy">Gradient w.r.t. the layer output; only the first rows·cols elements are used.</param>
    /// <param name="biasGradient">Accumulated bias gradient; only the first cols elements are used.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="cols">Number of columns.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void AccumulateRowSums(ReadOnlySpan<float> dy, Span<float> biasGradient, int rows, int cols)
    {
        KernelChecks.AtLeast(dy.Length, KernelChecks.Elements(rows, cols), nameof(dy));
        KernelChecks.AtLeast(biasGradient.Length, cols, nameof(biasGradient));
        Span<float> g = biasGradient.Slice(0, cols);
        // Row by row keeps every access contiguous and vectorized (a column walk would stride by cols).
        for (int r = 0; r < rows; r++)
            Elementwise.Add(g, dy.Slice(r * cols, cols), g);
    }
}
