using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// 2-D convolution over batch-major NCHW tensors with PyTorch semantics: cross-correlation, weights stored
/// F×C×KH×KW, one bias per filter, zero padding. Stride-1 unpadded convolutions whose output rows are at least
/// one vector wide run direct SIMD kernels (Convolution.Direct.cs: vectors along the output row, four filters
/// at a time; 3×3 weight gradients likewise). Otherwise each example is lowered to a matrix with im2col and
/// multiplied by <see cref="Gemm"/>; a 1×1, stride-1, unpadded convolution skips the lowering (the input
/// already is that matrix). Lengths are validated once up front; the kernels then run allocation-free.
/// </summary>
public static partial class Convolution
{
    /// <summary>
    /// Floats of scratch one call of any of the three kernels needs: the im2col matrix of one example
    /// (PatchSize × OutHeight·OutWidth), or 0 for a pointwise convolution.
    /// </summary>
    public static int WorkspaceLength(in ConvShape s)
    {
        s.Validate();
        return s.IsPointwise ? 0 : s.PatchSize * s.OutHeight * s.OutWidth;
    }

    /// <summary>y = conv(x, weights) + bias for a whole batch.</summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="weights">Filters, F×C×KH×KW.</param>
    /// <param name="bias">One bias per filter, F.</param>
    /// <param name="y">Output, batch × F×OutHeight×OutWidth (overwritten).</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> workspace, in ConvShape s, int batch)
        => ForwardWidth(x, weights, bias, y, workspace, s, batch, relu: false, int.MaxValue);

    /// <summary>y = max(0, conv(x, weights) + bias) for a whole batch: the convolution with its ReLU fused, one pass over y.</summary>
    /// <param name="x">Input, batch × C×H×W.</param>
    /// <param name="weights">Filters, F×C×KH×KW.</param>
    /// <param name="bias">One bias per filter, F.</param>
    /// <param name="y">Output, batch × F×OutHeight×OutWidth (overwritten).</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void ForwardRelu(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> workspace, in ConvShape s, int batch)
        => ForwardWidth(x, weights, bias, y, workspace, s, batch, relu: true, int.MaxValue);

    /// <summary>The forward pass with vectors of at most <paramref name="maxWidth"/> floats (16, 8, or 1 for the
    /// im2col path), so tests reach every path.</summary>
    internal static void ForwardWidth(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, Span<float> y,
        Span<float> workspace, in ConvShape s, int batch, bool relu, int maxWidth)
    {
        int work = CheckShape(s, batch);
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(batch, s.InputSize), nameof(x));
        KernelChecks.AtLeast(weights.Length, s.WeightCount, nameof(weights));
        KernelChecks.AtLeast(bias.Length, s.Filters, nameof(bias));
        KernelChecks.AtLeast(y.Length, KernelChecks.Elements(batch, s.OutputSize), nameof(y));
        KernelChecks.AtLeast(workspace.Length, work, nameof(workspace));

        int f = s.Filters, n = s.OutHeight * s.OutWidth, p = s.PatchSize, inSize = s.InputSize, outSize = s.OutputSize;
        int width = DirectWidth(s, maxWidth);
        if (width != 0)
        {
            if (batch > 0)
                DirectForward(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(weights), ref MemoryMarshal.GetReference(bias),
                    ref MemoryMarshal.GetReference(y), s, batch, relu, width);
            return;
        }

        ReadOnlySpan<float> w = weights.Slice(0, f * p);
        Span<float> col = workspace.Slice(0, work);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> xb = x.Slice(b * inSize, inSize);
            Span<float> yb = y.Slice(b * outSize, outSize);
            for (int o = 0; o < f; o++) yb.Slice(o * n, n).Fill(bias[o]);
            if (s.IsPointwise)
            {
                Gemm.Multiply(w, xb, yb, f, n, p, accumulate: true);
            }
            else
            {
                Im2Col(xb, col, s);
                Gemm.Multiply(w, col, yb, f, n, p, accumulate: true);
            }
            if (relu) Activations.Relu(yb);
        }
    }

    /// <summary>dx = ∂L/∂x given dy = ∂L/∂y, for a whole batch (overwrites dx).</summary>
    /// <param name="dy">Output gradient, batch × F×OutHeight×OutWidth.</param>
    /// <param name="weights">Filters, F×C×KH×KW.</param>
    /// <param name="dx">Input gradient, batch × C×H×W (overwritten).</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void BackwardData(ReadOnlySpan<float> dy, ReadOnlySpan<float> weights, Span<float> dx, Span<float> workspace,
        in ConvShape s, int batch)
    {
        int work = CheckShape(s, batch);
        KernelChecks.AtLeast(dy.Length, KernelChecks.Elements(batch, s.OutputSize), nameof(dy));
        KernelChecks.AtLeast(weights.Length, s.WeightCount, nameof(weights));
        KernelChecks.AtLeast(dx.Length, KernelChecks.Elements(batch, s.InputSize), nameof(dx));
        KernelChecks.AtLeast(workspace.Length, work, nameof(workspace));

        int f = s.Filters, n = s.OutHeight * s.OutWidth, p = s.PatchSize, inSize = s.InputSize, outSize = s.OutputSize;
        ReadOnlySpan<float> w = weights.Slice(0, f * p);
        Span<float> col = workspace.Slice(0, work);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> dyb = dy.Slice(b * outSize, outSize);
            Span<float> dxb = dx.Slice(b * inSize, inSize);
            if (s.IsPointwise)
            {
                // dx_b[C×HW] = Wᵀ·dy_b with W stored F×C.
                Gemm.MultiplyTransposedA(w, dyb, dxb, p, n, f);
            }
            else
            {
                Gemm.MultiplyTransposedA(w, dyb, col, p, n, f);
                dxb.Clear();
                Col2ImAdd(col, dxb, s);
            }
        }
    }

    /// <summary>weightGradient += ∂L/∂W and biasGradient += ∂L/∂bias, summed over the batch.</summary>
    /// <param name="dy">Output gradient, batch × F×OutHeight×OutWidth.</param>
    /// <param name="x">The forward input, batch × C×H×W.</param>
    /// <param name="weightGradient">Accumulated weight gradient, F×C×KH×KW.</param>
    /// <param name="biasGradient">Accumulated bias gradient, F.</param>
    /// <param name="workspace">Scratch of at least <see cref="WorkspaceLength"/> floats.</param>
    /// <param name="s">Convolution shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    public static void BackwardWeights(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient,
        Span<float> workspace, in ConvShape s, int batch)
        => BackwardWeightsWidth(dy, x, weightGradient, biasGradient, workspace, s, batch, int.MaxValue);

    /// <summary>The weight gradient with vectors of at most <paramref name="maxWidth"/> floats (16, 8, or 1 for the
    /// im2col path), so tests reach every path.</summary>
    internal static void BackwardWeightsWidth(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> weightGradient, Span<float> biasGradient,
        Span<float> workspace, in ConvShape s, int batch, int maxWidth)
    {
        int work = CheckShape(s, batch);
        KernelChecks.AtLeast(dy.Length, KernelChecks.Elements(batch, s.OutputSize), nameof(dy));
        KernelChecks.AtLeast(x.Length, KernelChecks.Elements(batch, s.InputSize), nameof(x));
        KernelChecks.AtLeast(weightGradient.Length, s.WeightCount, nameof(weightGradient));
        KernelChecks.AtLeast(biasGradient.Length, s.Filters, nameof(biasGradient));
        KernelChecks.AtLeast(workspace.Length, work, nameof(workspace));

        int f = s.Filters, n = s.OutHeight * s.OutWidth, p = s.PatchSize, inSize = s.InputSize, outSize = s.OutputSize;
        int width = DirectWeightsApply(s) ? DirectWidth(s, maxWidth) : 0;
        if (width != 0)
        {
            if (batch > 0)
                DirectWeights(ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(weightGradient),
                    ref MemoryMarshal.GetReference(biasGradient), s, batch, width);
            return;
        }

        Span<float> dw = weightGradient.Slice(0, f * p);
        Span<float> col = workspace.Slice(0, work);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> dyb = dy.Slice(b * outSize, outSize);
            ReadOnlySpan<float> xb = x.Slice(b * inSize, inSize);
            if (s.IsPointwise)
            {
                Gemm.MultiplyTransposedB(dyb, xb, dw, f, p, n, accumulate: true);
            }
            else
            {
                Im2Col(xb, col, s);
                // dW[F×P] += dy_b[F×N]·col[P×N]ᵀ.
                Gemm.MultiplyTransposedB(dyb, col, dw, f, p, n, accumulate: true);
            }
            for (int o = 0; o < f; o++) biasGradient[o] += TensorPrimitives.Sum(dyb.Slice(o * n, n));
        }
    }

    private static int CheckShape(in ConvShape s, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        return WorkspaceLength(s);
    }

    /// <summary>
    /// Output positions o in [first, end) whose input coordinate o·stride − pad + k lies in [0, length).
    /// </summary>
    private static void ValidRange(int k, int pad, int stride, int length, int outLength, out int first, out int end)
    {
        int lead = pad - k;
        first = lead > 0 ? (lead + stride - 1) / stride : 0;
        int last = length + pad - k - 1; // largest o·stride allowed
        end = last >= 0 ? Math.Min(outLength, last / stride + 1) : 0;
        if (first > outLength) first = outLength;
        if (end < first) end = first;
    }

    /// <summary>col[(c·KH + i)·KW + j, oy·OW + ox] = x[c, oy·SY − PY + i, ox·SX − PX + j], zero outside.</summary>
    private static void Im2Col(ReadOnlySpan<float> x, Span<float> col, in ConvShape s)
    {
        int h = s.Height, w = s.Width, kh = s.KernelHeight, kw = s.KernelWidth, sy = s.StrideY, sx = s.StrideX;
        int py = s.PadY, px = s.PadX, oh = s.OutHeight, ow = s.OutWidth, n = oh * ow, plane = h * w;
        int row = 0;
        for (int c = 0; c < s.Channels; c++)
        {
            ReadOnlySpan<float> xc = x.Slice(c * plane, plane);
            for (int i = 0; i < kh; i++)
            {
                ValidRange(i, py, sy, h, oh, out int oy0, out int oy1);
                for (int j = 0; j < kw; j++, row++)
                {
                    ValidRange(j, px, sx, w, ow, out int ox0, out int ox1);
                    Span<float> dst = col.Slice(row * n, n);
                    dst.Slice(0, oy0 * ow).Clear();
                    int len = ox1 - ox0;
                    for (int oy = oy0; oy < oy1; oy++)
                    {
                        Span<float> d = dst.Slice(oy * ow, ow);
                        ReadOnlySpan<float> src = xc.Slice((oy * sy - py + i) * w, w);
                        d.Slice(0, ox0).Clear();
                        d.Slice(ox1).Clear();
                        int ix = ox0 * sx - px + j;
                        if (sx == 1)
                        {
                            src.Slice(ix, len).CopyTo(d.Slice(ox0, len));
                        }
                        else
                        {
                            for (int ox = ox0; ox < ox1; ox++, ix += sx) d[ox] = src[ix];
                        }
                    }
                    dst.Slice(oy1 * ow).Clear();
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: adds every col entry back onto the input position it was read from.</summary>
    private static void Col2ImAdd(ReadOnlySpan<float> col, Span<float> dx, in ConvShape s)
    {
        int h = s.Height, w = s.Width, kh = s.KernelHeight, kw = s.KernelWidth, sy = s.StrideY, sx = s.StrideX;
        int py = s.PadY, px = s.PadX, oh = s.OutHeight, ow = s.OutWidth, n = oh * ow, plane = h * w;
        int row = 0;
        for (int c = 0; c < s.Channels; c++)
        {
            Span<float> dxc = dx.Slice(c * plane, plane);
            for (int i = 0; i < kh; i++)
            {
                ValidRange(i, py, sy, h, oh, out int oy0, out int oy1);
                for (int j = 0; j < kw; j++, row++)
                {
                    ValidRange(j, px, sx, w, ow, out int ox0, out int ox1);
                    ReadOnlySpan<float> src = col.Slice(row * n, n);
                    int len = ox1 - ox0;
                    for (int oy = oy0; oy < oy1; oy++)
                    {
                        ReadOnlySpan<float> d = src.Slice(oy * ow, ow);
                        Span<float> target = dxc.Slice((oy * sy - py + i) * w, w);
                        int ix = ox0 * sx - px + j;
                        if (sx == 1)
                        {
                            Span<float> t = target.Slice(ix, len);
                            Elementwise.Add(t, d.Slice(ox0, len), t);
                        }
                        else
                        {
                            for (int ox = ox0; ox < ox1; ox++, ix += sx) target[ix] += d[ox];
                        }
                    }
                }
            }
        }
    }
}
