using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Inference's ReLU convolution + 2×2 max pooling with the filters across the lanes (16 or 32 at a time) and the
    // output pixels as rows: every input pixel is broadcast once per tap against a vector of weights, so no lane is
    // wasted on the gaps of a flat input grid and the pooling is a plain max of four accumulators (no shuffles). The
    // pooled values come out pixel-major and are transposed (CellKernels.Transpose) into the channel-major (C × H × W)
    // layout the next layer reads. Each output's sum is formed as in the other kernels (bias, then the taps in
    // order c, i, j), and the pooling and ReLU are the same max operations: the same bits.

    /// <summary>Whether the pixel-major kernel takes this shape: AVX-512, filters a multiple of 16, 3 ≤ pooled width.</summary>
    private static bool PixelMajorFits(in ConvShape s, in PoolShape pool) =>
        Avx512F.IsSupported && s.Filters % 16 == 0 && pool.OutWidth >= 3;

    /// <summary>Scratch floats the pixel-major kernel needs: one example's pooled values, pixel-major.</summary>
    private static int PixelMajorScratch(in ConvShape s, in PoolShape pool) =>
        KernelChecks.Elements(s.Filters, pool.OutHeight * pool.OutWidth);

    // The weights as this thread last saw them, then the same weights tap-major, and their shape.
    [ThreadStatic] private static AlignedBuffer t_tapMajor;
    [ThreadStatic] private static int t_tapMajorFilters, t_tapMajorTaps;

    /// <summary>
    /// The weights tap-major, wt[t][o] = w[o][t]. Transposing F × K·K weights element by element cost ~10% of the
    /// shapes CNN's convolution (0.1 of 1.2 µs), and inference passes the same weights every time, so the last weights
    /// seen on this thread are kept with their transpose and reused while shape and bits are the same (a compare of
    /// 1 KB instead of 288 strided copies). Anything else — new weights, another layer — transposes again.
    /// </summary>
    private static ReadOnlySpan<float> TapMajor(ReadOnlySpan<float> w, int filters, int taps)
    {
        int n = filters * taps;
        w = w.Slice(0, n);
        if (t_tapMajorFilters == filters && t_tapMajorTaps == taps
            && MemoryMarshal.AsBytes(w).SequenceEqual(MemoryMarshal.AsBytes(t_tapMajor.Slice(0, n))))
        {
            return t_tapMajor.Slice(n, n);
        }

        if (t_tapMajor.Length < 2 * n) t_tapMajor = new AlignedBuffer(2 * n);
        t_tapMajorFilters = 0; // a transposition cut short by an exception leaves no stale match behind
        Span<float> seen = t_tapMajor.Slice(0, n), transposed = t_tapMajor.Slice(n, n);
        CellKernels.Transpose(w, transposed, filters, taps);
        w.CopyTo(seen);
        (t_tapMajorFilters, t_tapMajorTaps) = (filters, taps);
        return transposed;
    }

    /// <summary>One example: x [C × H × W] → pooled [F × PH × PW], with the weights tap-major (<see cref="TapMajor"/>).</summary>
    private static unsafe void PooledPixelMajor(float* x, float* wt, float* bias, float* pooled, float* rows, in ConvShape s, in PoolShape pool)
    {
        int f = s.Filters, ph = pool.OutHeight, pw = pool.OutWidth, pixels = ph * pw;

        for (int o = 0; o < f;)
        {
            bool two = f - o >= 32;
            for (int py = 0; py < ph; py++)
            {
                // Three pooled pixels at a time; the last three end at the row's end (recomputed values are equal).
                for (int q = 0; q < pw; q += 3)
                {
                    int px = Math.Min(q, pw - 3);
                    float* outRow = rows + ((nint)(py * pw + px) * f) + o;
                    if (two) ThreePooledPixels<TwoVectors>(x, wt + o, bias + o, outRow, s, f, 2 * py, 2 * px);
                    else ThreePooledPixels<OneVector>(x, wt + o, bias + o, outRow, s, f, 2 * py, 2 * px);
                }
            }
            o += two ? 32 : 16;
        }

        // Pixel-major [pixels × F] → channel-major [F × pixels].
        CellKernels.Transpose(new ReadOnlySpan<float>(rows, pixels * f), new Span<float>(pooled, f * pixels), pixels, f);
    }

    /// <summary>How many vectors of 16 filters a block holds: a type argument, so each count gets its own kernel.</summary>
    private interface IFilterVectors { static abstract bool Both { get; } }
    private struct OneVector : IFilterVectors { public static bool Both => false; }
    private struct TwoVectors : IFilterVectors { public static bool Both => true; }

    /// <summary>
    /// Pooled pixels (oy/2, ox/2 + k), k &lt; 3, for 16 or 32 filters: twelve output pixels (rows oy and oy + 1,
    /// columns ox … ox + 5), one or two accumulators each; written to <paramref name="y"/> + k·<paramref name="stride"/>.
    /// <paramref name="stride"/> is the filter count: the length of a tap's weights in <paramref name="wt"/> and of a
    /// pixel's values in <paramref name="y"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ThreePooledPixels<TN>(float* x, float* wt, float* bias, float* y, in ConvShape s, int stride, int oy, int ox)
        where TN : struct, IFilterVectors
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw;
        Vector512<float> b0 = Vector512.Load(bias), b1 = TN.Both ? Vector512.Load(bias + 16) : default;
        // aRC: output row oy + R, column ox + C; suffix 1 = the second 16 filters.
        Vector512<float> a00 = b0, a01 = b0, a02 = b0, a03 = b0, a04 = b0, a05 = b0, a10 = b0, a11 = b0, a12 = b0, a13 = b0, a14 = b0, a15 = b0;
        Vector512<float> c00 = b1, c01 = b1, c02 = b1, c03 = b1, c04 = b1, c05 = b1, c10 = b1, c11 = b1, c12 = b1, c13 = b1, c14 = b1, c15 = b1;
        float* wk = wt;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                float* r0 = x + ((nint)c * plane) + ((oy + i) * iw) + ox, r1 = r0 + iw;
                // Pointers that advance with j, so every input is a constant displacement (no index arithmetic).
                for (float* q0 = r0, q1 = r1, end = r0 + kw; q0 < end; q0++, q1++, wk += stride)
                {
                    Vector512<float> w0 = Vector512.Load(wk), w1 = TN.Both ? Vector512.Load(wk + 16) : default;
                    Vector512<float> v;
                    v = Vector512.Create(q0[0]); a00 = Ops512.MultiplyAdd(v, w0, a00); if (TN.Both) c00 = Ops512.MultiplyAdd(v, w1, c00);
                    v = Vector512.Create(q0[1]); a01 = Ops512.MultiplyAdd(v, w0, a01); if (TN.Both) c01 = Ops512.MultiplyAdd(v, w1, c01);
                    v = Vector512.Create(q0[2]); a02 = Ops512.MultiplyAdd(v, w0, a02); if (TN.Both) c02 = Ops512.MultiplyAdd(v, w1, c02);
                    v = Vector512.Create(q0[3]); a03 = Ops512.MultiplyAdd(v, w0, a03); if (TN.Both) c03 = Ops512.MultiplyAdd(v, w1, c03);
                    v = Vector512.Create(q0[4]); a04 = Ops512.MultiplyAdd(v, w0, a04); if (TN.Both) c04 = Ops512.MultiplyAdd(v, w1, c04);
                    v = Vector512.Create(q0[5]); a05 = Ops512.MultiplyAdd(v, w0, a05); if (TN.Both) c05 = Ops512.MultiplyAdd(v, w1, c05);
                    v = Vector512.Create(q1[0]); a10 = Ops512.MultiplyAdd(v, w0, a10); if (TN.Both) c10 = Ops512.MultiplyAdd(v, w1, c10);
                    v = Vector512.Create(q1[1]); a11 = Ops512.MultiplyAdd(v, w0, a11); if (TN.Both) c11 = Ops512.MultiplyAdd(v, w1, c11);
                    v = Vector512.Create(q1[2]); a12 = Ops512.MultiplyAdd(v, w0, a12); if (TN.Both) c12 = Ops512.MultiplyAdd(v, w1, c12);
                    v = Vector512.Create(q1[3]); a13 = Ops512.MultiplyAdd(v, w0, a13); if (TN.Both) c13 = Ops512.MultiplyAdd(v, w1, c13);
                    v = Vector512.Create(q1[4]); a14 = Ops512.MultiplyAdd(v, w0, a14); if (TN.Both) c14 = Ops512.MultiplyAdd(v, w1, c14);
                    v = Vector512.Create(q1[5]); a15 = Ops512.MultiplyAdd(v, w0, a15); if (TN.Both) c15 = Ops512.MultiplyAdd(v, w1, c15);
                }
            }
        }
        Pool(a00, a01, a10, a11).Store(y);
        Pool(a02, a03, a12, a13).Store(y + stride);
        Pool(a04, a05, a14, a15).Store(y + (2 * stride));
        if (TN.Both)
        {
            Pool(c00, c01, c10, c11).Store(y + 16);
            Pool(c02, c03, c12, c13).Store(y + stride + 16);
            Pool(c04, c05, c14, c15).Store(y + (2 * stride) + 16);
        }
    }

    /// <summary>The ReLU of the max of a 2×2 window (top pair, bottom pair): the flat kernels' operations, in their order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pool(Vector512<float> topLeft, Vector512<float> topRight, Vector512<float> bottomLeft, Vector512<float> bottomRight)
        => Ops512.Max(Avx512F.Max(Avx512F.Max(topLeft, topRight), Avx512F.Max(bottomLeft, bottomRight)), Vector512<float>.Zero);
}
