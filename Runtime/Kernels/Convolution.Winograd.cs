using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // The ReLU convolution + 2×2 max pooling for 3×3 filters, by Winograd's F(2, 3) along the rows: two neighbouring
    // outputs of a filter row g over inputs d0..d3 are
    //   y0 = m0 + m1 + m2,  y1 = m1 − m2 − m3,  with  m0 = g0(d0 − d2),  m1 = ½(g0 + g1 + g2)(d1 + d2),
    //                                                m2 = ½(g0 − g1 + g2)(d2 − d1),  m3 = g2(d1 − d3),
    // and the m's of the three filter rows add up before that last step, so a 2×2 pooling window costs 2 × 12
    // multiply-adds per 16 filters instead of 2 × 18, plus 8 additions. The additions run on the core's adder pipes
    // beside the FMA pipes (Zen 4 and 5 have two of each), which the direct kernel keeps full: the shapes CNN's
    // convolution with its pooling and transposition, 1.15 → 0.93 µs (one process). The input differences d0 − d2, …
    // are computed once per example and broadcast to every filter. With one input channel the transformed filters
    // stay in registers; with several, see Convolution.WinogradChannels.cs. The sums differ from the direct kernels'
    // in the last bits (the filter transform rounds); each is still formed in an order fixed by its indices, so runs
    // agree. Training runs the same kernel with each window's arg-max recorded (WithIndices), so both passes agree too.

    /// <summary>Whether <paramref name="s"/> takes the Winograd kernel (fusable 2×2 pooling checked by the caller).</summary>
    private static bool WinogradFits(in ConvShape s) =>
        Avx512F.IsSupported && s.KernelHeight == 3 && s.KernelWidth == 3 && s.Filters % 16 == 0;

    /// <summary>Length of one of the four transformed copies of an example's input, padded to whole vectors.</summary>
    private static int WinogradPlane(in ConvShape s) => (KernelChecks.Elements(s.Height, s.Width) + 15) & ~15;

    /// <summary>
    /// Every example through <see cref="PooledWinograd{TI}"/> (sizes checked by the caller); with
    /// <typeparamref name="TI"/> = <see cref="WithIndices"/> also each window's arg-max into <paramref name="argmax"/>.
    /// </summary>
    private static unsafe void ForwardWinograd<TI>(ReadOnlySpan<float> x, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        Span<float> pooled, Span<int> argmax, in ConvShape s, in PoolShape pool, int batch, bool pixelMajor = false)
        where TI : struct, IArgmaxRecording
    {
        int pixels = pool.OutHeight * pool.OutWidth, pooledSize = s.Filters * pixels, rowsLength = PixelMajorScratch(s, pool);
        int indexLength = TI.Records ? rowsLength : 0, planesLength = KernelChecks.Elements(4 * s.Channels, WinogradPlane(s));
        ReadOnlySpan<float> tapMajor = TapMajor(weights, s.Filters, s.PatchSize);
        Span<float> scratch = CellKernels.Scratch(rowsLength + indexLength + planesLength + (s.Channels == 1 ? 0 : KernelChecks.Elements(384, s.Channels)));
        fixed (float* px = x, pw = tapMajor, pb = bias, ps = scratch, py = pooled)
        {
            float* indexRows = ps + rowsLength, planes = indexRows + indexLength, filters = planes + planesLength;
            for (int b = 0; b < batch; b++)
            {
                // The kernels write pixel-major [pixels × F]; channel-major [F × pixels] is a transposition, called here:
                // inside the kernel it cost ~0.1 µs more.
                float* rows = pixelMajor ? py + ((nint)b * pooledSize) : ps;
                if (s.Channels == 1) PooledWinograd<TI>(px + ((nint)b * s.InputSize), pw, pb, rows, (int*)indexRows, planes, b * s.OutputSize, s, pool);
                else PooledWinogradChannels<TI>(px + ((nint)b * s.InputSize), pw, pb, rows, (int*)indexRows, planes, filters, b * s.OutputSize, s, pool);
                if (pixelMajor) continue;
                CellKernels.Transpose(scratch.Slice(0, rowsLength), pooled.Slice(b * pooledSize, pooledSize), pixels, s.Filters);
                if (TI.Records)
                {
                    CellKernels.Transpose(scratch.Slice(rowsLength, indexLength), MemoryMarshal.Cast<int, float>(argmax.Slice(b * pooledSize, pooledSize)), pixels, s.Filters);
                }
            }
        }
    }

    /// <summary>Whether the Winograd kernel records arg-max indices: a type argument, so each choice gets its own kernel.</summary>
    private interface IArgmaxRecording { static abstract bool Records { get; } }
    private struct WithoutIndices : IArgmaxRecording { public static bool Records => false; }
    private struct WithIndices : IArgmaxRecording { public static bool Records => true; }

    /// <summary>
    /// One example: x [H × W] → rows [PH·PW × F], the pooled values pixel-major, with the weights tap-major
    /// (<see cref="TapMajor"/>); <paramref name="d"/> receives the four transformed copies of the input. When
    /// <typeparamref name="TI"/> records, <paramref name="indexRows"/> (same layout) receives each window's arg-max as
    /// an index into the batch's convolution output (this example's starts at <paramref name="outputStart"/>): the first
    /// maximum of the ReLU outputs in row-major window order, compared as <see cref="Pooling.MaxForward"/> compares them.
    /// </summary>
    private static unsafe void PooledWinograd<TI>(float* x, float* wt, float* bias, float* rows, int* indexRows, float* d, int outputStart, in ConvShape s, in PoolShape pool)
        where TI : struct, IArgmaxRecording
    {
        int f = s.Filters, iw = s.Width, ow = s.OutWidth, ph = pool.OutHeight, pw = pool.OutWidth, plane = WinogradPlane(s);
        TransformInput(x, d, s.Height * iw, plane);

        var half = Vector512.Create(0.5f);
        nint r1 = iw, r2 = 2 * (nint)iw, r3 = 3 * (nint)iw, next = plane; // computed once, not per broadcast
        for (int o = 0; o < f; o += 16)
        {
            // uKJ: filter row K's J-th transformed weight for filters o … o + 15.
            Vector512<float> g0 = Vector512.Load(wt + o), g1 = Vector512.Load(wt + f + o), g2 = Vector512.Load(wt + (2 * f) + o);
            Vector512<float> u00 = g0, u01 = (g0 + g1 + g2) * half, u02 = (g0 - g1 + g2) * half, u03 = g2;
            g0 = Vector512.Load(wt + (3 * f) + o); g1 = Vector512.Load(wt + (4 * f) + o); g2 = Vector512.Load(wt + (5 * f) + o);
            Vector512<float> u10 = g0, u11 = (g0 + g1 + g2) * half, u12 = (g0 - g1 + g2) * half, u13 = g2;
            g0 = Vector512.Load(wt + (6 * f) + o); g1 = Vector512.Load(wt + (7 * f) + o); g2 = Vector512.Load(wt + (8 * f) + o);
            Vector512<float> u20 = g0, u21 = (g0 + g1 + g2) * half, u22 = (g0 - g1 + g2) * half, u23 = g2;
            Vector512<float> bias16 = Vector512.Load(bias + o);
            // Where filters o … o + 15's output maps start in the batch's convolution output.
            Vector512<int> maps = TI.Records ? (Vector512<int>.Indices + Vector512.Create(o)) * (s.OutHeight * ow) + Vector512.Create(outputStart) : default;

            for (int py = 0; py < ph; py++)
            {
                // Pointers and offsets advance by addition: multiplied out per window, their integer arithmetic
                // competed with the vector work for issue slots.
                float* window = d + ((nint)py * 2 * r1);
                nint at = ((nint)py * pw * f) + o;
                int topLeft = 2 * py * ow;
                for (int px = 0; px < pw; px++, window += 2, at += f, topLeft += 2)
                {
                    // The window's top-left input: dJ[K·W] is the J-th difference K rows further down. tJ sums the top
                    // output row's three filter rows (input rows 0–2), bJ the bottom one's (input rows 1–3).
                    float* d0 = window, d1 = d0 + next, d2 = d1 + next, d3 = d2 + next;
                    Vector512<float> t0 = u00 * Vector512.Create(d0[0]), t1 = u01 * Vector512.Create(d1[0]);
                    Vector512<float> t2 = u02 * Vector512.Create(d2[0]), t3 = u03 * Vector512.Create(d3[0]);
                    t0 = Ops512.MultiplyAdd(u10, Vector512.Create(d0[r1]), t0); t1 = Ops512.MultiplyAdd(u11, Vector512.Create(d1[r1]), t1);
                    t2 = Ops512.MultiplyAdd(u12, Vector512.Create(d2[r1]), t2); t3 = Ops512.MultiplyAdd(u13, Vector512.Create(d3[r1]), t3);
                    t0 = Ops512.MultiplyAdd(u20, Vector512.Create(d0[r2]), t0); t1 = Ops512.MultiplyAdd(u21, Vector512.Create(d1[r2]), t1);
                    t2 = Ops512.MultiplyAdd(u22, Vector512.Create(d2[r2]), t2); t3 = Ops512.MultiplyAdd(u23, Vector512.Create(d3[r2]), t3);
                    Vector512<float> b0 = u00 * Vector512.Create(d0[r1]), b1 = u01 * Vector512.Create(d1[r1]);
                    Vector512<float> b2 = u02 * Vector512.Create(d2[r1]), b3 = u03 * Vector512.Create(d3[r1]);
                    b0 = Ops512.MultiplyAdd(u10, Vector512.Create(d0[r2]), b0); b1 = Ops512.MultiplyAdd(u11, Vector512.Create(d1[r2]), b1);
                    b2 = Ops512.MultiplyAdd(u12, Vector512.Create(d2[r2]), b2); b3 = Ops512.MultiplyAdd(u13, Vector512.Create(d3[r2]), b3);
                    b0 = Ops512.MultiplyAdd(u20, Vector512.Create(d0[r3]), b0); b1 = Ops512.MultiplyAdd(u21, Vector512.Create(d1[r3]), b1);
                    b2 = Ops512.MultiplyAdd(u22, Vector512.Create(d2[r3]), b2); b3 = Ops512.MultiplyAdd(u23, Vector512.Create(d3[r3]), b3);
                    StoreWindow<TI>(t0, t1, t2, t3, b0, b1, b2, b3, bias16, maps, rows, indexRows, at, topLeft, ow);
                }
            }
        }
    }

    /// <summary>
    /// A window's four outputs for 16 filters from the transformed sums (tJ: top output row, bJ: bottom), then the
    /// bias, ReLU and pooling into <paramref name="rows"/> at <paramref name="at"/>; with <typeparamref name="TI"/>
    /// recording, the arg-max into <paramref name="indexRows"/> (<paramref name="topLeft"/>: the window's first output
    /// in its map, <paramref name="maps"/>: where the 16 maps start).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreWindow<TI>(Vector512<float> t0, Vector512<float> t1, Vector512<float> t2, Vector512<float> t3,
        Vector512<float> b0, Vector512<float> b1, Vector512<float> b2, Vector512<float> b3, Vector512<float> bias16, Vector512<int> maps,
        float* rows, int* indexRows, nint at, int topLeft, int ow)
        where TI : struct, IArgmaxRecording
    {
        if (!TI.Records)
        {
            Vector512<float> top = Avx512F.Max(t0 + t1 + t2, t1 - t2 - t3), bottom = Avx512F.Max(b0 + b1 + b2, b1 - b2 - b3);
            Relu(Avx512F.Max(top, bottom) + bias16).Store(rows + at);
            return;
        }

        // The ReLU outputs first (ties at zero go to the first position, as MaxForward's do), then left against right
        // by strictly greater, then bottom against top: the same choices as MaxTwoByTwo512.
        Vector512<float> r00 = Relu((t0 + t1 + t2) + bias16), r01 = Relu((t1 - t2 - t3) + bias16);
        Vector512<float> r10 = Relu((b0 + b1 + b2) + bias16), r11 = Relu((b1 - b2 - b3) + bias16);
        Vector512<float> rightTop = Vector512.GreaterThan(r01, r00), rightBottom = Vector512.GreaterThan(r11, r10);
        Vector512<float> upper = Vector512.ConditionalSelect(rightTop, r01, r00), lower = Vector512.ConditionalSelect(rightBottom, r11, r10);
        Vector512<float> below = Vector512.GreaterThan(lower, upper);
        Vector512.ConditionalSelect(below, lower, upper).Store(rows + at);
        Vector512<int> topAt = rightTop.AsInt32() & Vector512<int>.One, bottomAt = (rightBottom.AsInt32() & Vector512<int>.One) + Vector512.Create(ow);
        (Vector512.ConditionalSelect(below.AsInt32(), bottomAt, topAt) + maps + Vector512.Create(topLeft)).Store(indexRows + at);
    }

    /// <summary>
    /// max(v, 0), a NaN kept (as ForwardRelu keeps it): a diverging model must not look like a silent one. One
    /// instruction: vmaxps returns its second operand when either is NaN, and here that is v (the IEEE maximum the
    /// portable Max computes takes two more per call). −0 stays −0 (equal to +0 in every later comparison and sum).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Relu(Vector512<float> v) => Avx512F.Max(Vector512<float>.Zero, v);

    /// <summary>d0[i] = x[i] − x[i+2], d1[i] = x[i+1] + x[i+2], d2[i] = x[i+2] − x[i+1], d3[i] = x[i+1] − x[i+3] for i + 3 &lt; n.</summary>
    private static unsafe void TransformInput(float* x, float* d, int n, int plane)
    {
        float* d1 = d + plane, d2 = d1 + plane, d3 = d2 + plane;
        int i = 0;
        for (; i + 19 <= n; i += 16)
        {
            Vector512<float> a = Vector512.Load(x + i), b = Vector512.Load(x + i + 1), c = Vector512.Load(x + i + 2), e = Vector512.Load(x + i + 3);
            (a - c).Store(d + i);
            (b + c).Store(d1 + i);
            (c - b).Store(d2 + i);
            (b - e).Store(d3 + i);
        }

        for (; i + 3 < n; i++)
        {
            d[i] = x[i] - x[i + 2];
            d1[i] = x[i + 1] + x[i + 2];
            d2[i] = x[i + 2] - x[i + 1];
            d3[i] = x[i + 1] - x[i + 3];
        }
    }
}
