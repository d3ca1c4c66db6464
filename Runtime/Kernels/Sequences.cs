
namespace ModelGen.Kernels;

/// <summary>
/// Sequence-tensor plumbing: batch-major [B × T × N] ↔ time-major [T × B × N] transposes, feature
/// concatenation (bidirectional outputs) and its inverse, and variational dropout (one mask per example,
/// shared by every step).
/// </summary>
public static class Sequences
{
    /// <summary>timeMajor[t, b, :] = batchMajor[b, t, :].</summary>
    /// <param name="batchMajor">[B × T × N].</param>
    /// <param name="timeMajor">Receives [T × B × N].</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="features">N.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void ToTimeMajor(ReadOnlySpan<float> batchMajor, Span<float> timeMajor, int batch, int steps, int features)
    {
        int total = CheckSequence(batch, steps, features);
        KernelChecks.AtLeast(batchMajor.Length, total, nameof(batchMajor));
        KernelChecks.AtLeast(timeMajor.Length, total, nameof(timeMajor));
        if (batch == 1 || steps == 1)
        {
            // One example or one step: both layouts are the same.
            batchMajor.Slice(0, total).CopyTo(timeMajor);
            return;
        }
        if (features == 1)
        {
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < steps; t++)
                    timeMajor[t * batch + b] = batchMajor[b * steps + t];
            return;
        }
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                batchMajor.Slice((b * steps + t) * features, features).CopyTo(timeMajor.Slice((t * batch + b) * features, features));
    }

    /// <summary>batchMajor[b, t, :] = timeMajor[t, b, :].</summary>
    /// <param name="timeMajor">[T × B × N].</param>
    /// <param name="batchMajor">Receives [B × T × N].</param>
    /// <param name="batch">B.</param>
    /// <param name="steps">T.</param>
    /// <param name="features">N.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void ToBatchMajor(ReadOnlySpan<float> timeMajor, Span<float> batchMajor, int batch, int steps, int features)
    {
        int total = CheckSequence(batch, steps, features);
        KernelChecks.AtLeast(timeMajor.Length, total, nameof(timeMajor));
        KernelChecks.AtLeast(batchMajor.Length, total, nameof(batchMajor));
        if (batch == 1 || steps == 1)
        {
            timeMajor.Slice(0, total).CopyTo(batchMajor);
            return;
        }
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                timeMajor.Slice((t * batch + b) * features, features).CopyTo(batchMajor.Slice((b * steps + t) * features, features));
    }

    /// <summary>y[r] = (a[r], b[r]): rows of a [rows × na] and a [rows × nb] matrix side by side.</summary>
    /// <param name="a">[rows × na].</param>
    /// <param name="b">[rows × nb].</param>
    /// <param name="y">Receives [rows × (na + nb)].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="na">Columns of a.</param>
    /// <param name="nb">Columns of b.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Concatenate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y, int rows, int na, int nb)
    {
        int ny = CheckSplit(a.Length, b.Length, y.Length, rows, na, nb);
        for (int r = 0; r < rows; r++)
        {
            a.Slice(r * na, na).CopyTo(y.Slice(r * ny, na));
            b.Slice(r * nb, nb).CopyTo(y.Slice(r * ny + na, nb));
        }
    }

    /// <summary>The inverse of <see cref="Concatenate"/>: a[r] and b[r] are the two column ranges of y[r].</summary>
    /// <param name="y">[rows × (na + nb)].</param>
    /// <param name="a">Receives [rows × na].</param>
    /// <param name="b">Receives [rows × nb].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="na">Columns of a.</param>
    /// <param name="nb">Columns of b.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void Split(ReadOnlySpan<float> y, Span<float> a, Span<float> b, int rows, int na, int nb)
    {
        int ny = CheckSplit(a.Length, b.Length, y.Length, rows, na, nb);
        for (int r = 0; r < rows; r++)
        {
            y.Slice(r * ny, na).CopyTo(a.Slice(r * na, na));
            y.Slice(r * ny + na, nb).CopyTo(b.Slice(r * nb, nb));
        }
    }

    /// <summary>
    /// Fills <paramref name="mask"/> with 0 (probability <paramref name="rate"/>) or 1/(1 − rate), one
    /// <c>rng.NextFloat()</c> per element in order (kept when ≥ rate), as <see cref="Dropout.Forward"/> does.
    /// At rate 0 the mask is all ones and nothing is drawn.
    /// </summary>
    /// <param name="mask">Receives the mask.</param>
    /// <param name="rate">Drop probability in [0, 1).</param>
    /// <param name="rng">Source of randomness.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void DrawMask(Span<float> mask, float rate, Rng rng)
    {
        CheckRate(rate);
        ArgumentNullException.ThrowIfNull(rng);
        if (rate == 0f)
        {
            mask.Fill(1f);
            return;
        }
        float scale = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
            mask[i] = rng.NextFloat() >= rate ? scale : 0f;
    }

    /// <summary>Draws one [B × N] mask and applies it at every step: y_t = x_t ⊙ mask.</summary>
    /// <param name="x">[T × B × N].</param>
    /// <param name="y">Receives [T × B × N] (may be x).</param>
    /// <param name="mask">Receives the mask, [B × N] (its first B·N elements).</param>
    /// <param name="rate">Drop probability in [0, 1).</param>
    /// <param name="rng">Source of randomness.</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="features">N.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void DropoutForward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, Rng rng,
        int steps, int batch, int features)
    {
        int total = CheckSequence(batch, steps, features), block = batch * features;
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(y.Length, total, nameof(y));
        KernelChecks.AtLeast(mask.Length, block, nameof(mask));
        CheckRate(rate);
        ArgumentNullException.ThrowIfNull(rng);

        Span<float> m = mask.Slice(0, block);
        DrawMask(m, rate, rng);
        for (int t = 0; t < steps; t++)
            Elementwise.Multiply(x.Slice(t * block, block), m, y.Slice(t * block, block));
    }

    /// <summary>dy_t ← dy_t ⊙ mask at every step, in place.</summary>
    /// <param name="mask">The mask from <see cref="DropoutForward"/>, [B × N].</param>
    /// <param name="dy">Gradient, [T × B × N], replaced by the input gradient.</param>
    /// <param name="steps">T.</param>
    /// <param name="batch">B.</param>
    /// <param name="features">N.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void DropoutBackward(ReadOnlySpan<float> mask, Span<float> dy, int steps, int batch, int features)
    {
        int total = CheckSequence(batch, steps, features), block = batch * features;
        KernelChecks.AtLeast(mask.Length, block, nameof(mask));
        KernelChecks.AtLeast(dy.Length, total, nameof(dy));
        ReadOnlySpan<float> m = mask.Slice(0, block);
        for (int t = 0; t < steps; t++)
        {
            Span<float> row = dy.Slice(t * block, block);
            Elementwise.Multiply(row, m, row);
        }
    }

    private static int CheckSequence(int batch, int steps, int features)
        => KernelChecks.Elements(KernelChecks.Elements(batch, steps), features);

    private static int CheckSplit(int aLength, int bLength, int yLength, int rows, int na, int nb)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(na);
        ArgumentOutOfRangeException.ThrowIfNegative(nb);
        int ny = checked(na + nb);
        KernelChecks.AtLeast(aLength, KernelChecks.Elements(rows, na), "a");
        KernelChecks.AtLeast(bLength, KernelChecks.Elements(rows, nb), "b");
        KernelChecks.AtLeast(yLength, KernelChecks.Elements(rows, ny), "y");
        return ny;
    }

    private static void CheckRate(float rate)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
    }
}
