using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Winograd's F(2, 3) conv + pool (Convolution.Winograd.cs) for several input channels: the transformed filters no
    // longer fit in registers, so they are formed per block of filters into scratch and read back for every window
    // and channel; two blocks of 16 filters share each broadcast input (one block per pass was slower than the direct
    // pixel-major kernel for 32 filters: 2.85 → 3.42 µs on 3 × 20 × 20; two per pass, 2.50 µs; 8 × 14 × 14 → 32, too
    // narrow for the pixel-major kernel: 8.1 → 3.0 µs; one process, alternated builds).

    /// <summary>
    /// <see cref="PooledWinograd{TI}"/> for several input channels: the transformed filters (<paramref name="u"/>, 12
    /// vectors per channel) are formed per block of 16 filters and read back for every window, and each channel's
    /// three filter rows add into the same eight sums before the window's outputs are recovered.
    /// </summary>
    private static unsafe void PooledWinogradChannels<TI>(float* x, float* wt, float* bias, float* rows, int* indexRows, float* d, float* u,
        int outputStart, in ConvShape s, in PoolShape pool)
        where TI : struct, IArgmaxRecording
    {
        int c = s.Channels, f = s.Filters, iw = s.Width, ow = s.OutWidth, ph = pool.OutHeight, pw = pool.OutWidth, plane = WinogradPlane(s);
        int inputPlane = s.Height * iw;
        for (int ch = 0; ch < c; ch++)
            TransformInput(x + ((nint)ch * inputPlane), d + ((nint)ch * 4 * plane), inputPlane, plane);

        var half = Vector512.Create(0.5f);
        for (int o = 0; o < f; o += 32)
        {
            // Two blocks of 16 filters at a time (the second empty when F mod 32 = 16) share each broadcast input.
            // u[16·(8·(3·ch + k) + 4·h + j)]: channel ch, filter row k, J-th transformed weight of block h.
            bool two = f - o >= 32;
            for (int row = 0; row < 3 * c; row++)
            {
                for (int h = 0; h < (two ? 2 : 1); h++)
                {
                    float* g = wt + ((nint)(3 * row) * f) + o + (16 * h), uk = u + (128 * (nint)row) + (64 * h);
                    Vector512<float> g0 = Vector512.Load(g), g1 = Vector512.Load(g + f), g2 = Vector512.Load(g + (2 * f));
                    g0.Store(uk);
                    ((g0 + g1 + g2) * half).Store(uk + 16);
                    ((g0 - g1 + g2) * half).Store(uk + 32);
                    g2.Store(uk + 48);
                }
            }
            if (two) Windows<TI, TwoVectors>(d, u, bias, rows, indexRows, outputStart, o, c, f, iw, ow, s.OutHeight, ph, pw, plane);
            else Windows<TI, OneVector>(d, u, bias, rows, indexRows, outputStart, o, c, f, iw, ow, s.OutHeight, ph, pw, plane);
        }
    }

    /// <summary>
    /// Every window for filters o … o + 15, and o + 16 … o + 31 when <typeparamref name="TN"/> has both blocks
    /// (transformed filters in <paramref name="u"/>, 128 floats per channel and filter row).
    /// </summary>
    private static unsafe void Windows<TI, TN>(float* d, float* u, float* bias, float* rows, int* indexRows, int outputStart,
        int o, int c, int f, int iw, int ow, int oh, int ph, int pw, int plane)
        where TI : struct, IArgmaxRecording where TN : struct, IFilterVectors
    {
        Vector512<float> biasP = Vector512.Load(bias + o), biasQ = TN.Both ? Vector512.Load(bias + o + 16) : default;
        Vector512<int> mapsP = TI.Records ? (Vector512<int>.Indices + Vector512.Create(o)) * (oh * ow) + Vector512.Create(outputStart) : default;
        Vector512<int> mapsQ = TI.Records && TN.Both ? mapsP + Vector512.Create(16 * oh * ow) : default;
        for (int py = 0; py < ph; py++)
        {
            for (int px = 0; px < pw; px++)
            {
                // pJ/qJ: top-row sums of the two blocks, sJ/rJ: bottom-row sums.
                Vector512<float> p0 = default, p1 = default, p2 = default, p3 = default, s0 = default, s1 = default, s2 = default, s3 = default;
                Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default, r0 = default, r1 = default, r2 = default, r3 = default;
                float* d0 = d + (2 * py * iw) + (2 * px), uk = u;
                for (int ch = 0; ch < c; ch++, d0 += 4 * plane)
                {
                    float* d1 = d0 + plane, d2 = d1 + plane, d3 = d2 + plane;
                    for (int k = 0, at = 0; k < 3; k++, at += iw, uk += 128)
                    {
                        Vector512<float> e0 = Vector512.Create(d0[at]), e1 = Vector512.Create(d1[at]), e2 = Vector512.Create(d2[at]), e3 = Vector512.Create(d3[at]);
                        Vector512<float> n0 = Vector512.Create(d0[at + iw]), n1 = Vector512.Create(d1[at + iw]), n2 = Vector512.Create(d2[at + iw]), n3 = Vector512.Create(d3[at + iw]);
                        Vector512<float> u0 = Vector512.Load(uk), u1 = Vector512.Load(uk + 16), u2 = Vector512.Load(uk + 32), u3 = Vector512.Load(uk + 48);
                        p0 = Ops512.MultiplyAdd(u0, e0, p0); p1 = Ops512.MultiplyAdd(u1, e1, p1); p2 = Ops512.MultiplyAdd(u2, e2, p2); p3 = Ops512.MultiplyAdd(u3, e3, p3);
                        s0 = Ops512.MultiplyAdd(u0, n0, s0); s1 = Ops512.MultiplyAdd(u1, n1, s1); s2 = Ops512.MultiplyAdd(u2, n2, s2); s3 = Ops512.MultiplyAdd(u3, n3, s3);
                        if (TN.Both)
                        {
                            u0 = Vector512.Load(uk + 64); u1 = Vector512.Load(uk + 80); u2 = Vector512.Load(uk + 96); u3 = Vector512.Load(uk + 112);
                            q0 = Ops512.MultiplyAdd(u0, e0, q0); q1 = Ops512.MultiplyAdd(u1, e1, q1); q2 = Ops512.MultiplyAdd(u2, e2, q2); q3 = Ops512.MultiplyAdd(u3, e3, q3);
                            r0 = Ops512.MultiplyAdd(u0, n0, r0); r1 = Ops512.MultiplyAdd(u1, n1, r1); r2 = Ops512.MultiplyAdd(u2, n2, r2); r3 = Ops512.MultiplyAdd(u3, n3, r3);
                        }
                    }
                }
                nint at0 = (((nint)(py * pw) + px) * f) + o;
                int topLeft = (2 * py * ow) + (2 * px);
                StoreWindow<TI>(p0, p1, p2, p3, s0, s1, s2, s3, biasP, mapsP, rows, indexRows, at0, topLeft, ow);
                if (TN.Both) StoreWindow<TI>(q0, q1, q2, q3, r0, r1, r2, r3, biasQ, mapsQ, rows, indexRows, at0 + 16, topLeft, ow);
            }
        }
    }
}
