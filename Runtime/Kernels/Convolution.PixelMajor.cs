using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Inference's ReLU convolution + 2×2 max pooling with the filters across the lanes (16 or 32 at a time) and the
    // output pixels as rows: every input pixel is broadcast once per tap against a vector of weights, so no lane is
    // wasted on the gaps of a flat input grid and the pooling is a plain max of four accumulators (no shuffles). The
    // pooled values come out pixel-major and are transposed, 16 × 16 at a time, into the channel-major (C × H × W)
    // layout the next layer reads. Each output's sum is formed as in the other kernels (bias, then the taps in
    // order c, i, j), and the pooling and ReLU are the same max operations: the same bits.

    /// <summary>Whether the pixel-major kernel takes this shape: AVX-512, filters a multiple of 16, 3 ≤ pooled width, 16 ≤ pooled pixels.</summary>
    private static bool PixelMajorFits(in ConvShape s, in PoolShape pool) =>
        Avx512F.IsSupported && s.Filters % 16 == 0 && pool.OutWidth >= 3 && pool.OutHeight * pool.OutWidth >= 16;

    /// <summary>Scratch floats the pixel-major kernel needs: the weights tap-major, then the pooled values pixel-major.</summary>
    private static int PixelMajorScratch(in ConvShape s, in PoolShape pool) =>
        KernelChecks.Elements(s.Filters, TapRows(s) + (pool.OutHeight * pool.OutWidth));

    /// <summary>Rows of the tap-major weights: the taps rounded up to whole 16 × 16 blocks.</summary>
    private static int TapRows(in ConvShape s) => (s.PatchSize + 15) & ~15;

    /// <summary>One example: x [C × H × W] → pooled [F × PH × PW].</summary>
    private static unsafe void PooledPixelMajor(float* x, float* w, float* bias, float* pooled, float* scratch, in ConvShape s, in PoolShape pool)
    {
        int f = s.Filters, p = s.PatchSize, ph = pool.OutHeight, pw = pool.OutWidth, pixels = ph * pw;
        float* wt = scratch, rows = scratch + ((nint)f * TapRows(s));
        // The weights tap-major, wt[t][o] = w[o][t], by 16 × 16 blocks; a block's rows are read up to its last tap only
        // (masked loads: nothing past the weights is touched), the taps past p come out as zeros, never read.
        var all = Vector512<float>.AllBitsSet;
        for (int t0 = 0; t0 < p; t0 += 16)
        {
            var taps = t0 + 16 <= p ? all : Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(p - t0)).AsSingle();
            for (int o = 0; o < f; o += 16)
                Transpose16(w + ((nint)o * p) + t0, p, wt + ((nint)t0 * f) + o, f, taps);
        }

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

        // Pixel-major [pixels × F] → channel-major [F × pixels], 16 × 16 blocks; the last block ends at the last pixel.
        for (int q = 0; q < pixels; q += 16)
        {
            int at = Math.Min(q, pixels - 16);
            for (int o = 0; o < f; o += 16)
                Transpose16(rows + ((nint)at * f) + o, f, pooled + ((nint)o * pixels) + at, pixels, all);
        }
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
                for (int j = 0; j < kw; j++, wk += stride)
                {
                    Vector512<float> w0 = Vector512.Load(wk), w1 = TN.Both ? Vector512.Load(wk + 16) : default;
                    Vector512<float> v;
                    v = Vector512.Create(r0[j]); a00 = Ops512.MultiplyAdd(v, w0, a00); if (TN.Both) c00 = Ops512.MultiplyAdd(v, w1, c00);
                    v = Vector512.Create(r0[j + 1]); a01 = Ops512.MultiplyAdd(v, w0, a01); if (TN.Both) c01 = Ops512.MultiplyAdd(v, w1, c01);
                    v = Vector512.Create(r0[j + 2]); a02 = Ops512.MultiplyAdd(v, w0, a02); if (TN.Both) c02 = Ops512.MultiplyAdd(v, w1, c02);
                    v = Vector512.Create(r0[j + 3]); a03 = Ops512.MultiplyAdd(v, w0, a03); if (TN.Both) c03 = Ops512.MultiplyAdd(v, w1, c03);
                    v = Vector512.Create(r0[j + 4]); a04 = Ops512.MultiplyAdd(v, w0, a04); if (TN.Both) c04 = Ops512.MultiplyAdd(v, w1, c04);
                    v = Vector512.Create(r0[j + 5]); a05 = Ops512.MultiplyAdd(v, w0, a05); if (TN.Both) c05 = Ops512.MultiplyAdd(v, w1, c05);
                    v = Vector512.Create(r1[j]); a10 = Ops512.MultiplyAdd(v, w0, a10); if (TN.Both) c10 = Ops512.MultiplyAdd(v, w1, c10);
                    v = Vector512.Create(r1[j + 1]); a11 = Ops512.MultiplyAdd(v, w0, a11); if (TN.Both) c11 = Ops512.MultiplyAdd(v, w1, c11);
                    v = Vector512.Create(r1[j + 2]); a12 = Ops512.MultiplyAdd(v, w0, a12); if (TN.Both) c12 = Ops512.MultiplyAdd(v, w1, c12);
                    v = Vector512.Create(r1[j + 3]); a13 = Ops512.MultiplyAdd(v, w0, a13); if (TN.Both) c13 = Ops512.MultiplyAdd(v, w1, c13);
                    v = Vector512.Create(r1[j + 4]); a14 = Ops512.MultiplyAdd(v, w0, a14); if (TN.Both) c14 = Ops512.MultiplyAdd(v, w1, c14);
                    v = Vector512.Create(r1[j + 5]); a15 = Ops512.MultiplyAdd(v, w0, a15); if (TN.Both) c15 = Ops512.MultiplyAdd(v, w1, c15);
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

    /// <summary>
    /// dst[c·ds + r] = src[r·ss + c] for r, c &lt; 16: a 16 × 16 block transposed in registers. Columns outside
    /// <paramref name="columns"/> are not read (masked loads) and come out as zeros.
    /// </summary>
    private static unsafe void Transpose16(float* src, int ss, float* dst, int ds, Vector512<float> columns)
    {
        Vector512<float> r0 = Row(src, columns), r1 = Row(src + ss, columns), r2 = Row(src + (2 * ss), columns), r3 = Row(src + (3 * ss), columns);
        Vector512<float> r4 = Row(src + (4 * ss), columns), r5 = Row(src + (5 * ss), columns), r6 = Row(src + (6 * ss), columns), r7 = Row(src + (7 * ss), columns);
        Vector512<float> r8 = Row(src + (8 * ss), columns), r9 = Row(src + (9 * ss), columns), r10 = Row(src + (10 * ss), columns), r11 = Row(src + (11 * ss), columns);
        Vector512<float> r12 = Row(src + (12 * ss), columns), r13 = Row(src + (13 * ss), columns), r14 = Row(src + (14 * ss), columns), r15 = Row(src + (15 * ss), columns);
        // Pairs of rows interleaved by element, then by element pair, then 128-bit blocks gathered in two rounds.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        r0 = PairsLow(t0, t2); r1 = PairsHigh(t0, t2); r2 = PairsLow(t1, t3); r3 = PairsHigh(t1, t3);
        r4 = PairsLow(t4, t6); r5 = PairsHigh(t4, t6); r6 = PairsLow(t5, t7); r7 = PairsHigh(t5, t7);
        r8 = PairsLow(t8, t10); r9 = PairsHigh(t8, t10); r10 = PairsLow(t9, t11); r11 = PairsHigh(t9, t11);
        r12 = PairsLow(t12, t14); r13 = PairsHigh(t12, t14); r14 = PairsLow(t13, t15); r15 = PairsHigh(t13, t15);
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88); t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD); t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88); t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD); t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);
        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(dst); Avx512F.Shuffle4x128(t1, t9, 0x88).Store(dst + ds);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(dst + (2 * ds)); Avx512F.Shuffle4x128(t3, t11, 0x88).Store(dst + (3 * ds));
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(dst + (4 * ds)); Avx512F.Shuffle4x128(t5, t13, 0x88).Store(dst + (5 * ds));
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(dst + (6 * ds)); Avx512F.Shuffle4x128(t7, t15, 0x88).Store(dst + (7 * ds));
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(dst + (8 * ds)); Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(dst + (9 * ds));
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(dst + (10 * ds)); Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(dst + (11 * ds));
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(dst + (12 * ds)); Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(dst + (13 * ds));
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(dst + (14 * ds)); Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(dst + (15 * ds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Row(float* at, Vector512<float> columns) => Avx512F.MaskLoad(at, columns, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
