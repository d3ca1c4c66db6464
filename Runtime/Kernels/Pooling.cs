namespace ModelGen.Kernels;

/// <summary>
/// Unpadded 2-D max and average pooling over batch-major NCHW tensors, each channel pooled independently.
/// Windows may overlap (stride smaller than the window); the backward passes then accumulate.
/// Lengths are validated once up front; the kernels then run allocation-free.
/// </summary>
public static class Pooling
{
    /// <summary>y = max over each window; argmax[i] = flat index into x (whole batch) of the first maximum.</summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="y">Output, batch × C×OutHeight×OutWidth (overwritten).</param>
    /// <param name="argmax">Per output, the index into x of its maximum (overwritten).</param>
    /// <param name="s">Pooling shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, in PoolShape s, int batch)
    {
        int outCount = Check(s, batch, x.Length, nameof(x), y.Length, nameof(y));
        KernelChecks.AtLeast(argmax.Length, outCount, nameof(argmax));

        int h = s.Height, w = s.Width, ph = s.PoolHeight, pw = s.PoolWidth, sy = s.StrideY, sx = s.StrideX;
        int oh = s.OutHeight, ow = s.OutWidth, plane = h * w, planes = batch * s.Channels;
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            int planeStart = q * plane;
            ReadOnlySpan<float> xq = x.Slice(planeStart, plane);
            for (int oy = 0; oy < oh; oy++)
            {
                int rowStart = oy * sy * w;
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int start = rowStart + ox * sx;
                    int best = start;
                    float max = xq[start];
                    for (int i = 0; i < ph; i++)
                    {
                        ReadOnlySpan<float> window = xq.Slice(start + i * w, pw);
                        for (int j = 0; j < window.Length; j++)
                        {
                            // Strictly greater keeps the first maximum in row-major window order.
                            if (window[j] > max) { max = window[j]; best = start + i * w + j; }
                        }
                    }
                    y[o] = max;
                    argmax[o] = planeStart + best;
                }
            }
        }
    }

    /// <summary>dx = 0, then dx[argmax[i]] += dy[i] (overwrites the first batch·InputSize elements of dx).</summary>
    /// <param name="dy">Output gradient, batch × C×OutHeight×OutWidth.</param>
    /// <param name="argmax">The indices <see cref="MaxForward"/> recorded.</param>
    /// <param name="dx">Input gradient, batch × C×H×W (overwritten).</param>
    /// <param name="s">Pooling shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    /// <exception cref="IndexOutOfRangeException">An argmax entry points outside the batch.</exception>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, in PoolShape s, int batch)
    {
        int outCount = Check(s, batch, dx.Length, nameof(dx), dy.Length, nameof(dy));
        KernelChecks.AtLeast(argmax.Length, outCount, nameof(argmax));

        Span<float> target = dx.Slice(0, batch * s.InputSize);
        target.Clear();
        for (int i = 0; i < outCount; i++) target[argmax[i]] += dy[i];
    }

    /// <summary>y = mean over each window.</summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="y">Output, batch × C×OutHeight×OutWidth (overwritten).</param>
    /// <param name="s">Pooling shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void AverageForward(ReadOnlySpan<float> x, Span<float> y, in PoolShape s, int batch)
    {
        Check(s, batch, x.Length, nameof(x), y.Length, nameof(y));

        int h = s.Height, w = s.Width, ph = s.PoolHeight, pw = s.PoolWidth, sy = s.StrideY, sx = s.StrideX;
        int oh = s.OutHeight, ow = s.OutWidth, plane = h * w, planes = batch * s.Channels;
        float scale = 1f / (ph * pw);
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            ReadOnlySpan<float> xq = x.Slice(q * plane, plane);
            for (int oy = 0; oy < oh; oy++)
            {
                int rowStart = oy * sy * w;
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int start = rowStart + ox * sx;
                    float sum = 0f;
                    for (int i = 0; i < ph; i++)
                    {
                        ReadOnlySpan<float> window = xq.Slice(start + i * w, pw);
                        for (int j = 0; j < window.Length; j++) sum += window[j];
                    }
                    y[o] = sum * scale;
                }
            }
        }
    }

    /// <summary>dx = 0, then every input of a window gets dy/(PoolHeight·PoolWidth) added (overwrites dx).</summary>
    /// <param name="dy">Output gradient, batch × C×OutHeight×OutWidth.</param>
    /// <param name="dx">Input gradient, batch × C×H×W (overwritten).</param>
    /// <param name="s">Pooling shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void AverageBackward(ReadOnlySpan<float> dy, Span<float> dx, in PoolShape s, int batch)
    {
        Check(s, batch, dx.Length, nameof(dx), dy.Length, nameof(dy));

        int h = s.Height, w = s.Width, ph = s.PoolHeight, pw = s.PoolWidth, sy = s.StrideY, sx = s.StrideX;
        int oh = s.OutHeight, ow = s.OutWidth, plane = h * w, planes = batch * s.Channels;
        float scale = 1f / (ph * pw);
        dx.Slice(0, batch * s.InputSize).Clear();
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            Span<float> dxq = dx.Slice(q * plane, plane);
            for (int oy = 0; oy < oh; oy++)
            {
                int rowStart = oy * sy * w;
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int start = rowStart + ox * sx;
                    float g = dy[o] * scale;
                    for (int i = 0; i < ph; i++)
                    {
                        Span<float> window = dxq.Slice(start + i * w, pw);
                        for (int j = 0; j < window.Length; j++) window[j] += g;
                    }
                }
            }
        }
    }

    /// <summary>Validates the shape, the batch and the input/output spans; returns batch·OutputSize.</summary>
    private static int Check(in PoolShape s, int batch, int inputLength, string inputName, int outputLength, string outputName)
    {
        s.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        KernelChecks.AtLeast(inputLength, KernelChecks.Elements(batch, s.InputSize), inputName);
        int outCount = KernelChecks.Elements(batch, s.OutputSize);
        KernelChecks.AtLeast(outputLength, outCount, outputName);
        return outCount;
    }
}
