using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// Layer normalization (per row over the features) and batch normalization (per channel over batch ×
/// spatial positions, layout x[b][c][s]), forward and backward. Statistics are two-pass (mean, then
/// squared deviations from it) so large offsets do not cancel; the biased variance normalizes.
/// Lengths are validated once up front; the kernels then run allocation-free.
/// </summary>
public static class Normalization
{
    /// <summary>
    /// Per row: μ = mean, σ² = biased variance, x̂ = (x − μ)/√(σ² + ε), y = gain ⊙ x̂ + bias.
    /// Stores μ and 1/√(σ² + ε) per row for the backward pass.
    /// </summary>
    /// <param name="x">Input, rows × features.</param>
    /// <param name="gain">Per-feature scale, features.</param>
    /// <param name="bias">Per-feature shift, features.</param>
    /// <param name="y">Output, rows × features (overwritten; may not alias x).</param>
    /// <param name="mean">Per-row mean, rows (overwritten).</param>
    /// <param name="inverseStd">Per-row 1/√(σ² + ε), rows (overwritten).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Features per row (the normalized dimension).</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void LayerNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> mean, Span<float> inverseStd, int rows, int features, float epsilon)
    {
        int total = KernelChecks.Elements(rows, features);
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(gain.Length, features, nameof(gain));
        KernelChecks.AtLeast(bias.Length, features, nameof(bias));
        KernelChecks.AtLeast(y.Length, total, nameof(y));
        KernelChecks.AtLeast(mean.Length, rows, nameof(mean));
        KernelChecks.AtLeast(inverseStd.Length, rows, nameof(inverseStd));
        if (features == 0) return;

        ReadOnlySpan<float> g = gain.Slice(0, features), be = bias.Slice(0, features);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.Slice(r * features, features);
            Span<float> yr = y.Slice(r * features, features);
            float mu = TensorPrimitives.Sum(xr) / features;
            Elementwise.Subtract(xr, mu, yr);                               // y = x − μ
            float inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yr) / features + epsilon);
            Elementwise.Multiply(yr, inv, yr);                              // y = x̂
            Elementwise.MultiplyAdd(yr, g, be, yr);                         // y = gain ⊙ x̂ + bias
            mean[r] = mu;
            inverseStd[r] = inv;
        }
    }

    /// <summary>
    /// Layer-norm backward: dx = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)) with ĝ = dy ⊙ gain (overwrites dx);
    /// gainGradient += Σ_rows dy ⊙ x̂ and biasGradient += Σ_rows dy.
    /// </summary>
    /// <param name="dy">Output gradient, rows × features.</param>
    /// <param name="x">The forward input, rows × features.</param>
    /// <param name="gain">Per-feature scale, features.</param>
    /// <param name="mean">Per-row mean from the forward pass, rows.</param>
    /// <param name="inverseStd">Per-row 1/√(σ² + ε) from the forward pass, rows.</param>
    /// <param name="dx">Input gradient, rows × features (overwritten).</param>
    /// <param name="gainGradient">Accumulated gain gradient, features.</param>
    /// <param name="biasGradient">Accumulated bias gradient, features.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="features">Features per row.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void LayerNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> inverseStd, Span<float> dx, Span<float> gainGradient, Span<float> biasGradient, int rows, int features)
    {
        int total = KernelChecks.Elements(rows, features);
        KernelChecks.AtLeast(dy.Length, total, nameof(dy));
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(gain.Length, features, nameof(gain));
        KernelChecks.AtLeast(mean.Length, rows, nameof(mean));
        KernelChecks.AtLeast(inverseStd.Length, rows, nameof(inverseStd));
        KernelChecks.AtLeast(dx.Length, total, nameof(dx));
        KernelChecks.AtLeast(gainGradient.Length, features, nameof(gainGradient));
        KernelChecks.AtLeast(biasGradient.Length, features, nameof(biasGradient));
        if (features == 0) return;

        ReadOnlySpan<float> g = gain.Slice(0, features);
        Span<float> gg = gainGradient.Slice(0, features), bg = biasGradient.Slice(0, features);
        float invD = 1f / features;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> dyr = dy.Slice(r * features, features);
            ReadOnlySpan<float> xr = x.Slice(r * features, features);
            Span<float> dxr = dx.Slice(r * features, features);
            float mu = mean[r], inv = inverseStd[r];
            Elementwise.Subtract(xr, mu, dxr);
            Elementwise.Multiply(dxr, inv, dxr);                            // dx = x̂ (scratch)
            Elementwise.MultiplyAdd(dyr, dxr, gg, gg);                      // gain gradient += dy ⊙ x̂
            Elementwise.Add(bg, dyr, bg);                                   // bias gradient += dy
            float sumG = TensorPrimitives.Dot(dyr, g);                           // Σ ĝ
            float sumGX = Dot3(dyr, g, dxr);                                     // Σ ĝ ⊙ x̂
            // dx = inv·ĝ − inv·mean(ĝ) − inv·mean(ĝ ⊙ x̂)·x̂, in one pass over x̂ (held in dx).
            LayerNormGradient(dyr, g, dxr, inv, -inv * sumG * invD, -inv * sumGX * invD);
        }
    }

    /// <summary>
    /// Training-mode batch norm: per channel, statistics over batch × spatial positions; y = gain·x̂ + bias.
    /// Stores the batch mean and 1/√(σ² + ε), and updates running = (1 − momentum)·running + momentum·stat
    /// with the unbiased variance (biased when only one value per channel).
    /// </summary>
    /// <param name="x">Input, batch × channels × spatial.</param>
    /// <param name="gain">Per-channel scale, channels.</param>
    /// <param name="bias">Per-channel shift, channels.</param>
    /// <param name="y">Output, batch × channels × spatial (overwritten; may alias x).</param>
    /// <param name="mean">Per-channel batch mean, channels (overwritten).</param>
    /// <param name="inverseStd">Per-channel 1/√(σ² + ε), channels (overwritten).</param>
    /// <param name="runningMean">Running mean, channels (updated).</param>
    /// <param name="runningVariance">Running variance, channels (updated).</param>
    /// <param name="batch">Number of examples.</param>
    /// <param name="channels">Channels (or features for vectors).</param>
    /// <param name="spatial">Positions per channel (H·W for images, 1 for vectors).</param>
    /// <param name="momentum">Weight of the new statistic in the running average (PyTorch's momentum, e.g. 0.1).</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void BatchNormTrainingForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> mean, Span<float> inverseStd, Span<float> runningMean, Span<float> runningVariance,
        int batch, int channels, int spatial, float momentum, float epsilon)
    {
        int total = BatchNormElements(batch, channels, spatial);
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(gain.Length, channels, nameof(gain));
        KernelChecks.AtLeast(bias.Length, channels, nameof(bias));
        KernelChecks.AtLeast(y.Length, total, nameof(y));
        KernelChecks.AtLeast(mean.Length, channels, nameof(mean));
        KernelChecks.AtLeast(inverseStd.Length, channels, nameof(inverseStd));
        KernelChecks.AtLeast(runningMean.Length, channels, nameof(runningMean));
        KernelChecks.AtLeast(runningVariance.Length, channels, nameof(runningVariance));
        if (batch == 0 || spatial == 0) return; // no statistics to take

        int n = batch * spatial, stride = channels * spatial;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int b = 0; b < batch; b++) sum += TensorPrimitives.Sum(x.Slice(b * stride + c * spatial, spatial));
            float mu = (float)(sum / n);
            double squares = 0;
            for (int b = 0; b < batch; b++) squares += SumSquaredDeviation(x.Slice(b * stride + c * spatial, spatial), mu);
            double variance = squares / n;
            float inv = (float)(1.0 / Math.Sqrt(variance + epsilon));
            float scale = gain[c] * inv, shift = bias[c];
            for (int b = 0; b < batch; b++)
            {
                int at = b * stride + c * spatial;
                CenteredAffine(x.Slice(at, spatial), mu, scale, shift, y.Slice(at, spatial));
            }
            mean[c] = mu;
            inverseStd[c] = inv;
            double unbiased = n > 1 ? squares / (n - 1) : variance;
            runningMean[c] = (1f - momentum) * runningMean[c] + momentum * mu;
            runningVariance[c] = (float)((1.0 - momentum) * runningVariance[c] + momentum * unbiased);
        }
    }

    /// <summary>Inference-mode batch norm: y = gain·(x − runningMean)/√(runningVariance + ε) + bias.</summary>
    /// <param name="x">Input, batch × channels × spatial.</param>
    /// <param name="gain">Per-channel scale, channels.</param>
    /// <param name="bias">Per-channel shift, channels.</param>
    /// <param name="runningMean">Running mean, channels.</param>
    /// <param name="runningVariance">Running variance, channels.</param>
    /// <param name="y">Output, batch × channels × spatial (overwritten; may alias x).</param>
    /// <param name="batch">Number of examples.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="spatial">Positions per channel.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void BatchNormInferenceForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVariance, Span<float> y, int batch, int channels, int spatial, float epsilon)
    {
        int total = BatchNormElements(batch, channels, spatial);
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(gain.Length, channels, nameof(gain));
        KernelChecks.AtLeast(bias.Length, channels, nameof(bias));
        KernelChecks.AtLeast(runningMean.Length, channels, nameof(runningMean));
        KernelChecks.AtLeast(runningVariance.Length, channels, nameof(runningVariance));
        KernelChecks.AtLeast(y.Length, total, nameof(y));

        int stride = channels * spatial;
        for (int c = 0; c < channels; c++)
        {
            float scale = gain[c] / MathF.Sqrt(runningVariance[c] + epsilon), mu = runningMean[c], shift = bias[c];
            for (int b = 0; b < batch; b++)
            {
                int at = b * stride + c * spatial;
                CenteredAffine(x.Slice(at, spatial), mu, scale, shift, y.Slice(at, spatial));
            }
        }
    }

    /// <summary>
    /// Training-mode batch-norm backward (through the batch statistics), per channel over n = batch·spatial values:
    /// dx = gain·(1/σ)/n·(n·dy − Σdy − x̂·Σ(dy·x̂)) (overwrites dx); gainGradient += Σ dy·x̂; biasGradient += Σ dy.
    /// </summary>
    /// <param name="dy">Output gradient, batch × channels × spatial.</param>
    /// <param name="x">The forward input, batch × channels × spatial.</param>
    /// <param name="gain">Per-channel scale, channels.</param>
    /// <param name="mean">Per-channel batch mean from the forward pass, channels.</param>
    /// <param name="inverseStd">Per-channel 1/√(σ² + ε) from the forward pass, channels.</param>
    /// <param name="dx">Input gradient, batch × channels × spatial (overwritten).</param>
    /// <param name="gainGradient">Accumulated gain gradient, channels.</param>
    /// <param name="biasGradient">Accumulated bias gradient, channels.</param>
    /// <param name="batch">Number of examples.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="spatial">Positions per channel.</param>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void BatchNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> mean,
        ReadOnlySpan<float> inverseStd, Span<float> dx, Span<float> gainGradient, Span<float> biasGradient, int batch, int channels, int spatial)
    {
        int total = BatchNormElements(batch, channels, spatial);
        KernelChecks.AtLeast(dy.Length, total, nameof(dy));
        KernelChecks.AtLeast(x.Length, total, nameof(x));
        KernelChecks.AtLeast(gain.Length, channels, nameof(gain));
        KernelChecks.AtLeast(mean.Length, channels, nameof(mean));
        KernelChecks.AtLeast(inverseStd.Length, channels, nameof(inverseStd));
        KernelChecks.AtLeast(dx.Length, total, nameof(dx));
        KernelChecks.AtLeast(gainGradient.Length, channels, nameof(gainGradient));
        KernelChecks.AtLeast(biasGradient.Length, channels, nameof(biasGradient));
        if (batch == 0 || spatial == 0) return;

        int n = batch * spatial, stride = channels * spatial;
        for (int c = 0; c < channels; c++)
        {
            float mu = mean[c], inv = inverseStd[c];
            double sumDy = 0, sumDyCentered = 0;
            for (int b = 0; b < batch; b++)
            {
                int at = b * stride + c * spatial;
                ReadOnlySpan<float> dys = dy.Slice(at, spatial);
                sumDy += TensorPrimitives.Sum(dys);
                sumDyCentered += DotCentered(dys, x.Slice(at, spatial), mu);
            }
            double sumDyXhat = sumDyCentered * inv;
            gainGradient[c] += (float)sumDyXhat;
            biasGradient[c] += (float)sumDy;
            // dx = a·dy + q·(x − μ) + r with a = gain·inv, q = −a·inv·Σ(dy·x̂)/n, r = −a·Σdy/n.
            double a = (double)gain[c] * inv;
            float pa = (float)a, q = (float)(-a * inv * sumDyXhat / n), r = (float)(-a * sumDy / n);
            for (int b = 0; b < batch; b++)
            {
                int at = b * stride + c * spatial;
                BatchNormGradient(dy.Slice(at, spatial), x.Slice(at, spatial), mu, pa, q, r, dx.Slice(at, spatial));
            }
        }
    }

    private static int BatchNormElements(int batch, int channels, int spatial)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        ArgumentOutOfRangeException.ThrowIfNegative(spatial);
        return KernelChecks.Elements(batch, KernelChecks.Elements(channels, spatial));
    }

    // ---- SIMD helpers (Vector<float> body, scalar tail). Callers guarantee the span lengths. ----

    /// <summary>Σ (x − mean)².</summary>
    private static float SumSquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        int i = 0, len = x.Length;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            var m = new Vector<float>(mean);
            var acc = Vector<float>.Zero;
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> d = Vector.LoadUnsafe(ref rx, (nuint)i) - m;
                acc = Vector.MultiplyAddEstimate(d, d, acc);
            }
            sum = Vector.Sum(acc);
        }
        for (; i < len; i++)
        {
            float d = Unsafe.Add(ref rx, i) - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>Σ dy·(x − mean).</summary>
    private static float DotCentered(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean)
    {
        ref float rd = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        int i = 0, len = x.Length;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            var m = new Vector<float>(mean);
            var acc = Vector<float>.Zero;
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
                acc = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rd, (nuint)i), Vector.LoadUnsafe(ref rx, (nuint)i) - m, acc);
            sum = Vector.Sum(acc);
        }
        for (; i < len; i++) sum += Unsafe.Add(ref rd, i) * (Unsafe.Add(ref rx, i) - mean);
        return sum;
    }

    /// <summary>Σ a·b·c.</summary>
    private static float Dot3(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        int i = 0, len = c.Length;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
                acc = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref ra, (nuint)i) * Vector.LoadUnsafe(ref rb, (nuint)i), Vector.LoadUnsafe(ref rc, (nuint)i), acc);
            sum = Vector.Sum(acc);
        }
        for (; i < len; i++) sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i) * Unsafe.Add(ref rc, i);
        return sum;
    }

    /// <summary>y = scale·(x − mean) + shift (y may alias x).</summary>
    private static void CenteredAffine(ReadOnlySpan<float> x, float mean, float scale, float shift, Span<float> y)
    {
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        int i = 0, len = x.Length;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            Vector<float> m = new(mean), s = new(scale), t = new(shift);
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
                Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rx, (nuint)i) - m, s, t).StoreUnsafe(ref ry, (nuint)i);
        }
        for (; i < len; i++) Unsafe.Add(ref ry, i) = (Unsafe.Add(ref rx, i) - mean) * scale + shift;
    }

    /// <summary>xhat ← inv·dy·g + r + q·xhat (in place over the normalized input held in <paramref name="xhat"/>).</summary>
    private static void LayerNormGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> g, Span<float> xhat, float inv, float r, float q)
    {
        ref float rd = ref MemoryMarshal.GetReference(dy);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rx = ref MemoryMarshal.GetReference(xhat);
        int i = 0, len = xhat.Length;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            Vector<float> vi = new(inv), vr = new(r), vq = new(q);
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> h = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rx, (nuint)i), vq, vr);
                Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rd, (nuint)i) * Vector.LoadUnsafe(ref rg, (nuint)i), vi, h).StoreUnsafe(ref rx, (nuint)i);
            }
        }
        for (; i < len; i++) Unsafe.Add(ref rx, i) = Unsafe.Add(ref rd, i) * Unsafe.Add(ref rg, i) * inv + (Unsafe.Add(ref rx, i) * q + r);
    }

    /// <summary>dx = a·dy + q·(x − mean) + r.</summary>
    private static void BatchNormGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float mean, float a, float q, float r, Span<float> dx)
    {
        ref float rd = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ro = ref MemoryMarshal.GetReference(dx);
        int i = 0, len = x.Length;
        if (Vector.IsHardwareAccelerated && len >= Vector<float>.Count)
        {
            Vector<float> vm = new(mean), va = new(a), vq = new(q), vr = new(r);
            for (; i <= len - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> h = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rx, (nuint)i) - vm, vq, vr);
                Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref rd, (nuint)i), va, h).StoreUnsafe(ref ro, (nuint)i);
            }
        }
        for (; i < len; i++) Unsafe.Add(ref ro, i) = Unsafe.Add(ref rd, i) * a + ((Unsafe.Add(ref rx, i) - mean) * q + r);
    }
}
