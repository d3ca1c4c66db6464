using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        => MaxForwardWidth(x, y, argmax, s, batch, int.MaxValue);

    /// <summary><see cref="MaxForward(ReadOnlySpan{float}, Span{float}, Span{int}, in PoolShape, int)"/> using vectors of
    /// at most <paramref name="maxWidth"/> floats (16: AVX-512, 8: AVX2, 1: scalar), so tests reach every path.</summary>
    internal static void MaxForwardWidth(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, in PoolShape s, int batch, int maxWidth)
    {
        int outCount = Check(s, batch, x.Length, nameof(x), y.Length, nameof(y));
        KernelChecks.AtLeast(argmax.Length, outCount, nameof(argmax));
        if (outCount == 0) return;

        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float ry = ref MemoryMarshal.GetReference(y);
        ref int ri = ref MemoryMarshal.GetReference(argmax);
        bool twoByTwo = s.PoolHeight == 2 && s.PoolWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        if (twoByTwo && maxWidth >= 16 && Avx512F.IsSupported && s.OutWidth >= 8)
            MaxTwoByTwo512(ref rx, ref ry, ref ri, s, batch);
        else if (twoByTwo && maxWidth >= 8 && Avx2.IsSupported && s.OutWidth >= 4)
            MaxTwoByTwo256(ref rx, ref ry, ref ri, s, batch);
        else
            MaxScalar(ref rx, ref ry, ref ri, s, batch);
    }

    // Any window and stride, branch-free: the comparisons on real activations are unpredictable, and a
    // mispredicted branch per element used to cost more than the rest of the pass.
    private static void MaxScalar(ref float x, ref float y, ref int argmax, in PoolShape s, int batch)
    {
        int h = s.Height, w = s.Width, ph = s.PoolHeight, pw = s.PoolWidth, sy = s.StrideY, sx = s.StrideX;
        int oh = s.OutHeight, ow = s.OutWidth, plane = h * w, planes = batch * s.Channels;
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            int planeStart = q * plane;
            ref float xq = ref Unsafe.Add(ref x, planeStart);
            for (int oy = 0; oy < oh; oy++)
            {
                int rowStart = oy * sy * w;
                for (int ox = 0; ox < ow; ox++, o++)
                {
                    int start = rowStart + ox * sx;
                    int best = start;
                    float max = Unsafe.Add(ref xq, start);
                    for (int i = 0; i < ph; i++)
                    {
                        int at = start + i * w;
                        for (int j = 0; j < pw; j++, at++)
                        {
                            // Strictly greater keeps the first maximum in row-major window order.
                            float v = Unsafe.Add(ref xq, at);
                            bool greater = v > max;
                            max = greater ? v : max;
                            best = greater ? at : best;
                        }
                    }
                    Unsafe.Add(ref y, o) = max;
                    Unsafe.Add(ref argmax, o) = planeStart + best;
                }
            }
        }
    }

    // 2×2 windows, stride 2 (the common case), 16 input columns → 8 outputs per step. Each row is first reduced
    // pairwise (left vs right neighbour), then the two rows (top vs bottom), always by strictly greater: exactly
    // the first maximum in row-major window order, as the scalar path. The last step of a row is shifted left to
    // end at the row's last output (recomputing a few outputs) instead of a scalar tail.
    private static void MaxTwoByTwo512(ref float x, ref float y, ref int argmax, in PoolShape s, int batch)
    {
        int w = s.Width, oh = s.OutHeight, ow = s.OutWidth, plane = s.Height * w, planes = batch * s.Channels;
        Vector512<int> next = Vector512.Create(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15);
        Vector512<int> evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14);
        Vector512<int> lane2 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0);
        Vector512<int> one = Vector512<int>.One, below = Vector512.Create(w);
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            for (int oy = 0; oy < oh; oy++, o += ow)
            {
                int rowStart = q * plane + 2 * oy * w;
                ref float top = ref Unsafe.Add(ref x, rowStart);
                for (int ox = 0; ; ox += 8)
                {
                    if (ox + 8 > ow) ox = ow - 8;
                    int col = 2 * ox;
                    Vector512<float> t = Vector512.LoadUnsafe(ref top, (nuint)col);
                    Vector512<float> b = Vector512.LoadUnsafe(ref top, (nuint)(col + w));
                    Vector512<float> tn = Avx512F.PermuteVar16x32(t, next), bn = Avx512F.PermuteVar16x32(b, next);
                    Vector512<float> gt = Vector512.GreaterThan(tn, t), gb = Vector512.GreaterThan(bn, b);
                    Vector512<float> mt = Vector512.ConditionalSelect(gt, tn, t), mb = Vector512.ConditionalSelect(gb, bn, b);
                    Vector512<int> it = gt.AsInt32() & one, ib = (gb.AsInt32() & one) + below;
                    Vector512<float> g = Vector512.GreaterThan(mb, mt);
                    Vector512<float> m = Vector512.ConditionalSelect(g, mb, mt);
                    Vector512<int> i = Vector512.ConditionalSelect(g.AsInt32(), ib, it);
                    m = Avx512F.PermuteVar16x32(m, evens);
                    i = Avx512F.PermuteVar16x32(i, evens) + lane2 + Vector512.Create(rowStart + col);
                    m.GetLower().StoreUnsafe(ref Unsafe.Add(ref y, o + ox));
                    i.GetLower().StoreUnsafe(ref Unsafe.Add(ref argmax, o + ox));
                    if (ox + 8 >= ow) break;
                }
            }
        }
    }

    // The same with 8 input columns → 4 outputs per step.
    private static void MaxTwoByTwo256(ref float x, ref float y, ref int argmax, in PoolShape s, int batch)
    {
        int w = s.Width, oh = s.OutHeight, ow = s.OutWidth, plane = s.Height * w, planes = batch * s.Channels;
        Vector256<int> next = Vector256.Create(1, 2, 3, 4, 5, 6, 7, 7);
        Vector256<int> evens = Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6);
        Vector256<int> lane2 = Vector256.Create(0, 2, 4, 6, 0, 0, 0, 0);
        Vector256<int> one = Vector256<int>.One, below = Vector256.Create(w);
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            for (int oy = 0; oy < oh; oy++, o += ow)
            {
                int rowStart = q * plane + 2 * oy * w;
                ref float top = ref Unsafe.Add(ref x, rowStart);
                for (int ox = 0; ; ox += 4)
                {
                    if (ox + 4 > ow) ox = ow - 4;
                    int col = 2 * ox;
                    Vector256<float> t = Vector256.LoadUnsafe(ref top, (nuint)col);
                    Vector256<float> b = Vector256.LoadUnsafe(ref top, (nuint)(col + w));
                    Vector256<float> tn = Avx2.PermuteVar8x32(t, next), bn = Avx2.PermuteVar8x32(b, next);
                    Vector256<float> gt = Vector256.GreaterThan(tn, t), gb = Vector256.GreaterThan(bn, b);
                    Vector256<float> mt = Vector256.ConditionalSelect(gt, tn, t), mb = Vector256.ConditionalSelect(gb, bn, b);
                    Vector256<int> it = gt.AsInt32() & one, ib = (gb.AsInt32() & one) + below;
                    Vector256<float> g = Vector256.GreaterThan(mb, mt);
                    Vector256<float> m = Vector256.ConditionalSelect(g, mb, mt);
                    Vector256<int> i = Vector256.ConditionalSelect(g.AsInt32(), ib, it);
                    m = Avx2.PermuteVar8x32(m, evens);
                    i = Avx2.PermuteVar8x32(i, evens) + lane2 + Vector256.Create(rowStart + col);
                    m.GetLower().StoreUnsafe(ref Unsafe.Add(ref y, o + ox));
                    i.GetLower().StoreUnsafe(ref Unsafe.Add(ref argmax, o + ox));
                    if (ox + 4 >= ow) break;
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
    /// <exception cref="IndexOutOfRangeException">An argmax entry points outside the batch (checked on the scatter path;
    /// with 2×2 stride-2 windows the gradient is written in one dense pass that relies on the indices MaxForward recorded).</exception>
    public static void MaxBackward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dx, in PoolShape s, int batch)
        => MaxBackwardWidth(dy, default, argmax, dx, s, batch, relu: false, int.MaxValue);

    /// <summary>
    /// The max-pooling backward pass fused with the backward pass of a ReLU in front of the pooling:
    /// dx = 0, then dx[argmax[i]] += (y[i] &gt; 0 ? dy[i] : 0), where y is the pooled output. Since y[i] is the ReLU
    /// output at argmax[i], this is <see cref="MaxBackward"/> followed by
    /// <see cref="Activations.ReluBackward"/> on the ReLU's output, in one pass.
    /// </summary>
    /// <param name="dy">Output gradient, batch × C×OutHeight×OutWidth.</param>
    /// <param name="y">The pooled output <see cref="MaxForward"/> wrote, batch × C×OutHeight×OutWidth.</param>
    /// <param name="argmax">The indices <see cref="MaxForward"/> recorded.</param>
    /// <param name="dx">Gradient w.r.t. the ReLU's input, batch × C×H×W (overwritten).</param>
    /// <param name="s">Pooling shape.</param>
    /// <param name="batch">Number of examples.</param>
    /// <exception cref="ArgumentException">The shape is invalid or a span is too short.</exception>
    /// <exception cref="IndexOutOfRangeException">An argmax entry points outside the batch (as <see cref="MaxBackward"/>).</exception>
    public static void MaxBackwardRelu(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ReadOnlySpan<int> argmax, Span<float> dx, in PoolShape s, int batch)
        => MaxBackwardWidth(dy, y, argmax, dx, s, batch, relu: true, int.MaxValue);

    /// <summary>The max-pooling backward pass (masked by y &gt; 0 when <paramref name="relu"/> is set) with vectors of at most
    /// <paramref name="maxWidth"/> floats (16, 8, or 1: clear and scatter), so tests reach every path.</summary>
    internal static void MaxBackwardWidth(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ReadOnlySpan<int> argmax, Span<float> dx,
        in PoolShape s, int batch, bool relu, int maxWidth)
    {
        int outCount = Check(s, batch, dx.Length, nameof(dx), dy.Length, nameof(dy));
        KernelChecks.AtLeast(argmax.Length, outCount, nameof(argmax));
        if (relu) KernelChecks.AtLeast(y.Length, outCount, nameof(y));
        if (outCount == 0) return;

        bool twoByTwo = s.PoolHeight == 2 && s.PoolWidth == 2 && s.StrideY == 2 && s.StrideX == 2;
        if (twoByTwo && maxWidth >= 16 && Avx512F.IsSupported && s.OutWidth >= 8)
        {
            // Every argmax must lie in its own window for the dense pass to be the scatter; MaxForward guarantees it.
            MaxBackwardTwoByTwo(ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(argmax),
                ref MemoryMarshal.GetReference(dx), s, batch, relu, wide: true);
            return;
        }
        if (twoByTwo && maxWidth >= 8 && Avx2.IsSupported && s.OutWidth >= 4)
        {
            MaxBackwardTwoByTwo(ref MemoryMarshal.GetReference(dy), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(argmax),
                ref MemoryMarshal.GetReference(dx), s, batch, relu, wide: false);
            return;
        }

        Span<float> target = dx.Slice(0, batch * s.InputSize);
        target.Clear();
        if (relu)
        {
            for (int i = 0; i < outCount; i++) target[argmax[i]] += y[i] > 0f ? dy[i] : 0f;
        }
        else
        {
            for (int i = 0; i < outCount; i++) target[argmax[i]] += dy[i];
        }
    }

    // 2×2 windows, stride 2: the windows tile the input, so instead of clearing dx and scattering, one dense pass writes
    // every input position: its window's gradient where it is the window's recorded arg-max, else 0. Each step covers
    // 8 windows (16 input columns, AVX-512) or 4 (AVX2) in both window rows; the last step of a row is shifted left to
    // end at the row's end. An odd last column or row (outside every window) gets 0.
    private static void MaxBackwardTwoByTwo(ref float dy, ref float y, ref int argmax, ref float dx, in PoolShape s, int batch, bool relu, bool wide)
    {
        int w = s.Width, h = s.Height, oh = s.OutHeight, ow = s.OutWidth, plane = h * w, planes = batch * s.Channels;
        int windows = wide ? 8 : 4;
        bool oddColumn = w > 2 * ow;
        int o = 0;
        for (int q = 0; q < planes; q++)
        {
            int planeStart = q * plane;
            for (int oy = 0; oy < oh; oy++, o += ow)
            {
                int rowStart = planeStart + 2 * oy * w;
                ref float top = ref Unsafe.Add(ref dx, rowStart);
                for (int ox = 0; ; ox += windows)
                {
                    if (ox + windows > ow) ox = ow - windows;
                    if (wide) EightWindows(ref dy, ref y, ref argmax, ref top, o + ox, rowStart + 2 * ox, 2 * ox, w, relu);
                    else FourWindows(ref dy, ref y, ref argmax, ref top, o + ox, rowStart + 2 * ox, 2 * ox, w, relu);
                    if (ox + windows >= ow) break;
                }
                if (oddColumn)
                {
                    Unsafe.Add(ref top, w - 1) = 0f;
                    Unsafe.Add(ref top, 2 * w - 1) = 0f;
                }
            }
            if (h > 2 * oh) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dx, planeStart + 2 * oh * w), (h - 2 * oh) * w).Clear();
        }
    }

    /// <summary>
    /// Windows output … output + 7 of one output row: each gradient (ReLU-masked) duplicated to its two columns, kept
    /// where the arg-max is. <paramref name="position"/> is the windows' first input index in arg-max terms (input rows
    /// <paramref name="w"/> apart); their two rows are written at <paramref name="top"/> + <paramref name="col"/> and
    /// w further.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightWindows(ref float dy, ref float y, ref int argmax, ref float top, int output, int position, int col, int w, bool relu)
    {
        Vector512<int> pairs = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
        Vector256<float> g8 = Vector256.LoadUnsafe(ref dy, (nuint)output);
        if (relu) g8 &= Vector256.GreaterThan(Vector256.LoadUnsafe(ref y, (nuint)output), Vector256<float>.Zero);
        Vector512<float> g = Avx512F.PermuteVar16x32(g8.ToVector512Unsafe(), pairs);
        Vector512<int> at = Avx512F.PermuteVar16x32(Vector256.LoadUnsafe(ref argmax, (nuint)output).ToVector512Unsafe(), pairs);
        Vector512<int> pos = Vector512<int>.Indices + Vector512.Create(position);
        (Vector512.Equals(pos, at).AsSingle() & g).StoreUnsafe(ref top, (nuint)col);
        (Vector512.Equals(pos + Vector512.Create(w), at).AsSingle() & g).StoreUnsafe(ref top, (nuint)(col + w));
    }

    /// <summary>The same for 4 windows on AVX2.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourWindows(ref float dy, ref float y, ref int argmax, ref float top, int output, int position, int col, int w, bool relu)
    {
        Vector256<int> pairs = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        Vector128<float> g4 = Vector128.LoadUnsafe(ref dy, (nuint)output);
        if (relu) g4 &= Vector128.GreaterThan(Vector128.LoadUnsafe(ref y, (nuint)output), Vector128<float>.Zero);
        Vector256<float> g = Avx2.PermuteVar8x32(g4.ToVector256Unsafe(), pairs);
        Vector256<int> at = Avx2.PermuteVar8x32(Vector128.LoadUnsafe(ref argmax, (nuint)output).ToVector256Unsafe(), pairs);
        Vector256<int> pos = Vector256<int>.Indices + Vector256.Create(position);
        (Vector256.Equals(pos, at).AsSingle() & g).StoreUnsafe(ref top, (nuint)col);
        (Vector256.Equals(pos + Vector256.Create(w), at).AsSingle() & g).StoreUnsafe(ref top, (nuint)(col + w));
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
