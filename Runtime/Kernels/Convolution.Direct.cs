using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Direct convolution for stride 1 and no padding (the usual small-image case, e.g. 1×20×20 with 3×3 filters),
    // where im2col would copy every input KH·KW times to feed a GEMM whose inner dimension (C·KH·KW) is tiny.
    // Vectors run along an output row; a row that is not a whole number of vectors ends with a step shifted left
    // to end at the row's end (forward: recomputes a few outputs; weight gradient: the overlap is masked off).

    /// <summary>Floats per vector the direct kernels will use for <paramref name="s"/>, or 0 when they do not apply.</summary>
    internal static int DirectWidth(in ConvShape s, int maxWidth)
    {
        if (s.StrideX != 1 || s.StrideY != 1 || s.PadX != 0 || s.PadY != 0) return 0;
        int ow = s.OutWidth;
        if (maxWidth >= 16 && Vector512.IsHardwareAccelerated && ow >= 16) return 16;
        if (maxWidth >= 8 && Vector256.IsHardwareAccelerated && ow >= 8) return 8;
        return 0;
    }

    private static void DirectForward(ref float x, ref float w, ref float bias, ref float y, in ConvShape s, int batch, bool relu, int width)
    {
        if (width == 16) DirectForward<Ops512, Vector512<float>>(ref x, ref w, ref bias, ref y, s, batch, relu);
        else DirectForward<Ops256, Vector256<float>>(ref x, ref w, ref bias, ref y, s, batch, relu);
    }

    private static void DirectForward<TOps, TV>(ref float x, ref float w, ref float bias, ref float y, in ConvShape s, int batch, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int vw = TOps.Count, f = s.Filters, ow = s.OutWidth, oh = s.OutHeight, outPlane = oh * ow, p = s.PatchSize;
        int inSize = s.InputSize, outSize = s.OutputSize;
        // Steps per row, taken two at a time (eight independent FMA chains with four filters); an odd count
        // repeats its last step.
        int steps = (ow + vw - 1) / vw;
        for (int b = 0; b < batch; b++)
        {
            ref float xb = ref Unsafe.Add(ref x, b * inSize);
            ref float yb = ref Unsafe.Add(ref y, b * outSize);
            int oy = 0;
            if (typeof(TOps) == typeof(Ops512) && FlatRows(s))
            {
                // Two output rows at a time as one run of the input grid (Convolution.Flat.cs), eight filters at a
                // time; leftover filters take the row kernels below.
                var rows = new TwoFlatRows(s.Width, ow, relu);
                for (; FlatRowsFit(s, oy); oy += 2)
                {
                    int o = 0;
                    for (; o + 8 <= f; o += 8)
                        EightFiltersFlat(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o), ref Unsafe.Add(ref yb, o * outPlane + oy * ow), s, oy, outPlane, rows);
                    if (o < f)
                        for (int r = oy; r < oy + 2; r++)
                            DirectRow<TOps, TV>(ref xb, ref w, ref bias, ref yb, s, r, steps, o, relu);
                }
            }
            for (; oy < oh; oy++)
                DirectRow<TOps, TV>(ref xb, ref w, ref bias, ref yb, s, oy, steps, 0, relu);
        }
    }

    /// <summary>Output row <paramref name="oy"/> of filters <paramref name="from"/> onward: steps of one vector, two at a time, four filters at a time.</summary>
    private static void DirectRow<TOps, TV>(ref float xb, ref float w, ref float bias, ref float yb, in ConvShape s, int oy, int steps, int from, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int vw = TOps.Count, f = s.Filters, ow = s.OutWidth, outPlane = s.OutHeight * ow, p = s.PatchSize;
        for (int st = 0; st < steps; st += 2)
        {
            int c0 = Math.Min(st * vw, ow - vw);
            int c1 = Math.Min((st + 1 < steps ? st + 1 : st) * vw, ow - vw);
            int o = from;
            for (; o + 4 <= f; o += 4)
                FourFilters<TOps, TV>(ref xb, ref Unsafe.Add(ref w, o * p), ref Unsafe.Add(ref bias, o),
                    ref Unsafe.Add(ref yb, o * outPlane + oy * ow), s, oy, c0, c1, outPlane, relu);
            for (; o < f; o++)
                OneFilter<TOps, TV>(ref xb, ref Unsafe.Add(ref w, o * p), Unsafe.Add(ref bias, o),
                    ref Unsafe.Add(ref yb, o * outPlane + oy * ow), s, oy, c0, c1, relu);
        }
    }

    // Rows short enough that two output rows lie within 48 positions of the input grid run on the flat grid
    // (Convolution.Flat.cs): 48 lanes for 2·OutWidth outputs (36 of 48 for the 20×20 shapes CNN) instead of four row
    // steps of 16 (36 of 64).

    /// <summary>True when the flat-grid kernels handle the shape's rows as they are (no pooling).</summary>
    private static bool FlatRows(in ConvShape s) => s.Width + s.OutWidth <= 48 && s.OutWidth >= 16 && s.Filters >= 8;

    /// <summary>True when output rows oy and oy + 1 exist and their 48-lane run of every tap stays inside the plane.</summary>
    private static bool FlatRowsFit(in ConvShape s, int oy) =>
        oy + 2 <= s.OutHeight && (oy + s.KernelHeight - 1) * s.Width + s.KernelWidth - 1 + 48 <= s.Height * s.Width;

    private static void FourFilters<TOps, TV>(ref float xb, ref float w, ref float bias, ref float yRow, in ConvShape s,
        int oy, int c0, int c1, int outPlane, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw, p = s.PatchSize;
        TV a0 = TOps.Broadcast(bias), a1 = TOps.Broadcast(Unsafe.Add(ref bias, 1));
        TV a2 = TOps.Broadcast(Unsafe.Add(ref bias, 2)), a3 = TOps.Broadcast(Unsafe.Add(ref bias, 3));
        TV b0 = a0, b1 = a1, b2 = a2, b3 = a3;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    TV xa = TOps.Load(ref Unsafe.Add(ref row, c0 + j));
                    TV xc = TOps.Load(ref Unsafe.Add(ref row, c1 + j));
                    TV w0 = TOps.Broadcast(wk);
                    a0 = TOps.MultiplyAdd(xa, w0, a0); b0 = TOps.MultiplyAdd(xc, w0, b0);
                    TV w1 = TOps.Broadcast(Unsafe.Add(ref wk, p));
                    a1 = TOps.MultiplyAdd(xa, w1, a1); b1 = TOps.MultiplyAdd(xc, w1, b1);
                    TV w2 = TOps.Broadcast(Unsafe.Add(ref wk, 2 * p));
                    a2 = TOps.MultiplyAdd(xa, w2, a2); b2 = TOps.MultiplyAdd(xc, w2, b2);
                    TV w3 = TOps.Broadcast(Unsafe.Add(ref wk, 3 * p));
                    a3 = TOps.MultiplyAdd(xa, w3, a3); b3 = TOps.MultiplyAdd(xc, w3, b3);
                }
            }
        }
        if (relu)
        {
            a0 = TOps.Max(a0, TOps.Zero); a1 = TOps.Max(a1, TOps.Zero); a2 = TOps.Max(a2, TOps.Zero); a3 = TOps.Max(a3, TOps.Zero);
            b0 = TOps.Max(b0, TOps.Zero); b1 = TOps.Max(b1, TOps.Zero); b2 = TOps.Max(b2, TOps.Zero); b3 = TOps.Max(b3, TOps.Zero);
        }
        TOps.Store(a0, ref Unsafe.Add(ref yRow, c0)); TOps.Store(b0, ref Unsafe.Add(ref yRow, c1));
        TOps.Store(a1, ref Unsafe.Add(ref yRow, outPlane + c0)); TOps.Store(b1, ref Unsafe.Add(ref yRow, outPlane + c1));
        TOps.Store(a2, ref Unsafe.Add(ref yRow, 2 * outPlane + c0)); TOps.Store(b2, ref Unsafe.Add(ref yRow, 2 * outPlane + c1));
        TOps.Store(a3, ref Unsafe.Add(ref yRow, 3 * outPlane + c0)); TOps.Store(b3, ref Unsafe.Add(ref yRow, 3 * outPlane + c1));
    }

    private static void OneFilter<TOps, TV>(ref float xb, ref float w, float bias, ref float yRow, in ConvShape s,
        int oy, int c0, int c1, bool relu)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw;
        TV a = TOps.Broadcast(bias), b = a;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    TV wv = TOps.Broadcast(wk);
                    a = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, c0 + j)), wv, a);
                    b = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref row, c1 + j)), wv, b);
                }
            }
        }
        if (relu) { a = TOps.Max(a, TOps.Zero); b = TOps.Max(b, TOps.Zero); }
        TOps.Store(a, ref Unsafe.Add(ref yRow, c0));
        TOps.Store(b, ref Unsafe.Add(ref yRow, c1));
    }

    // Ones after zeros: a load at offset 16 − v masks off the first v lanes of a step.
    private static readonly float[] TailMask = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>True when the direct weight-gradient kernel handles <paramref name="s"/> (3×3 filters).</summary>
    internal static bool DirectWeightsApply(in ConvShape s) => s.KernelHeight == 3 && s.KernelWidth == 3;

    private static void DirectWeights(ref float dy, ref float x, ref float dw, ref float db, in ConvShape s, int batch, int width)
    {
        if (width == 16) DirectWeights<Ops512, Vector512<float>>(ref dy, ref x, ref dw, ref db, s, batch);
        else DirectWeights<Ops256, Vector256<float>>(ref dy, ref x, ref dw, ref db, s, batch);
    }

    // dW[o, c, i, j] += Σ_b Σ_oy Σ_ox dy[b, o, oy, ox]·x[b, c, oy + i, ox + j] for 3×3 filters: per (filter, channel)
    // nine vector accumulators (two filters at once where 32 registers allow), reduced once at the end.
    private static void DirectWeights<TOps, TV>(ref float dy, ref float x, ref float dw, ref float db, in ConvShape s, int batch)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int f = s.Filters;
        int o = 0;
        if (TOps.Count == 16)
        {
            for (; o + 2 <= f; o += 2)
                for (int c = 0; c < s.Channels; c++)
                    WeightsTwoFilters<TOps, TV>(ref dy, ref x, ref dw, ref db, s, batch, o, c);
        }
        for (; o < f; o++)
            for (int c = 0; c < s.Channels; c++)
                WeightsOneFilter<TOps, TV>(ref dy, ref x, ref dw, ref db, s, batch, o, c);
    }

    private static void WeightsTwoFilters<TOps, TV>(ref float dy, ref float x, ref float dw, ref float db, in ConvShape s, int batch, int o, int c)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int vw = TOps.Count, ow = s.OutWidth, oh = s.OutHeight, iw = s.Width, outPlane = oh * ow;
        int inSize = s.InputSize, outSize = s.OutputSize, plane = s.Height * iw;
        int full = ow / vw, rest = ow - full * vw;
        TV tail = rest == 0 ? TOps.Zero : TOps.Load(ref TailMask[16 - (vw - rest)]);
        TV p00 = TOps.Zero, p01 = TOps.Zero, p02 = TOps.Zero, p10 = TOps.Zero, p11 = TOps.Zero, p12 = TOps.Zero, p20 = TOps.Zero, p21 = TOps.Zero, p22 = TOps.Zero;
        TV q00 = TOps.Zero, q01 = TOps.Zero, q02 = TOps.Zero, q10 = TOps.Zero, q11 = TOps.Zero, q12 = TOps.Zero, q20 = TOps.Zero, q21 = TOps.Zero, q22 = TOps.Zero;
        TV sp = TOps.Zero, sq = TOps.Zero;
        for (int b = 0; b < batch; b++)
        {
            ref float dyb = ref Unsafe.Add(ref dy, b * outSize + o * outPlane);
            ref float xc = ref Unsafe.Add(ref x, b * inSize + c * plane);
            for (int oy = 0; oy < oh; oy++)
            {
                ref float g = ref Unsafe.Add(ref dyb, oy * ow);
                ref float r0 = ref Unsafe.Add(ref xc, oy * iw);
                ref float r1 = ref Unsafe.Add(ref r0, iw);
                ref float r2 = ref Unsafe.Add(ref r0, 2 * iw);
                for (int st = 0; st <= full; st++)
                {
                    int col;
                    TV gp, gq;
                    if (st < full)
                    {
                        col = st * vw;
                        gp = TOps.Load(ref Unsafe.Add(ref g, col));
                        gq = TOps.Load(ref Unsafe.Add(ref g, outPlane + col));
                    }
                    else
                    {
                        if (rest == 0) break;
                        col = ow - vw;
                        gp = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref g, col)), tail, TOps.Zero);
                        gq = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref g, outPlane + col)), tail, TOps.Zero);
                    }
                    sp = TOps.Add(sp, gp); sq = TOps.Add(sq, gq);
                    TV v = TOps.Load(ref Unsafe.Add(ref r0, col));
                    p00 = TOps.MultiplyAdd(gp, v, p00); q00 = TOps.MultiplyAdd(gq, v, q00);
                    v = TOps.Load(ref Unsafe.Add(ref r0, col + 1));
                    p01 = TOps.MultiplyAdd(gp, v, p01); q01 = TOps.MultiplyAdd(gq, v, q01);
                    v = TOps.Load(ref Unsafe.Add(ref r0, col + 2));
                    p02 = TOps.MultiplyAdd(gp, v, p02); q02 = TOps.MultiplyAdd(gq, v, q02);
                    v = TOps.Load(ref Unsafe.Add(ref r1, col));
                    p10 = TOps.MultiplyAdd(gp, v, p10); q10 = TOps.MultiplyAdd(gq, v, q10);
                    v = TOps.Load(ref Unsafe.Add(ref r1, col + 1));
                    p11 = TOps.MultiplyAdd(gp, v, p11); q11 = TOps.MultiplyAdd(gq, v, q11);
                    v = TOps.Load(ref Unsafe.Add(ref r1, col + 2));
                    p12 = TOps.MultiplyAdd(gp, v, p12); q12 = TOps.MultiplyAdd(gq, v, q12);
                    v = TOps.Load(ref Unsafe.Add(ref r2, col));
                    p20 = TOps.MultiplyAdd(gp, v, p20); q20 = TOps.MultiplyAdd(gq, v, q20);
                    v = TOps.Load(ref Unsafe.Add(ref r2, col + 1));
                    p21 = TOps.MultiplyAdd(gp, v, p21); q21 = TOps.MultiplyAdd(gq, v, q21);
                    v = TOps.Load(ref Unsafe.Add(ref r2, col + 2));
                    p22 = TOps.MultiplyAdd(gp, v, p22); q22 = TOps.MultiplyAdd(gq, v, q22);
                }
            }
        }
        int pc = s.PatchSize;
        ref float wp = ref Unsafe.Add(ref dw, o * pc + c * 9);
        AddNine<TOps, TV>(ref wp, p00, p01, p02, p10, p11, p12, p20, p21, p22);
        AddNine<TOps, TV>(ref Unsafe.Add(ref wp, pc), q00, q01, q02, q10, q11, q12, q20, q21, q22);
        if (c == 0)
        {
            Unsafe.Add(ref db, o) += TOps.Sum(sp);
            Unsafe.Add(ref db, o + 1) += TOps.Sum(sq);
        }
    }

    private static void WeightsOneFilter<TOps, TV>(ref float dy, ref float x, ref float dw, ref float db, in ConvShape s, int batch, int o, int c)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int vw = TOps.Count, ow = s.OutWidth, oh = s.OutHeight, iw = s.Width, outPlane = oh * ow;
        int inSize = s.InputSize, outSize = s.OutputSize, plane = s.Height * iw;
        int full = ow / vw, rest = ow - full * vw;
        TV tail = rest == 0 ? TOps.Zero : TOps.Load(ref TailMask[16 - (vw - rest)]);
        TV p00 = TOps.Zero, p01 = TOps.Zero, p02 = TOps.Zero, p10 = TOps.Zero, p11 = TOps.Zero, p12 = TOps.Zero, p20 = TOps.Zero, p21 = TOps.Zero, p22 = TOps.Zero;
        TV sp = TOps.Zero;
        for (int b = 0; b < batch; b++)
        {
            ref float dyb = ref Unsafe.Add(ref dy, b * outSize + o * outPlane);
            ref float xc = ref Unsafe.Add(ref x, b * inSize + c * plane);
            for (int oy = 0; oy < oh; oy++)
            {
                ref float g = ref Unsafe.Add(ref dyb, oy * ow);
                ref float r0 = ref Unsafe.Add(ref xc, oy * iw);
                ref float r1 = ref Unsafe.Add(ref r0, iw);
                ref float r2 = ref Unsafe.Add(ref r0, 2 * iw);
                for (int st = 0; st <= full; st++)
                {
                    int col;
                    TV gp;
                    if (st < full)
                    {
                        col = st * vw;
                        gp = TOps.Load(ref Unsafe.Add(ref g, col));
                    }
                    else
                    {
                        if (rest == 0) break;
                        col = ow - vw;
                        gp = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref g, col)), tail, TOps.Zero);
                    }
                    sp = TOps.Add(sp, gp);
                    p00 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r0, col)), p00);
                    p01 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r0, col + 1)), p01);
                    p02 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r0, col + 2)), p02);
                    p10 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r1, col)), p10);
                    p11 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r1, col + 1)), p11);
                    p12 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r1, col + 2)), p12);
                    p20 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r2, col)), p20);
                    p21 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r2, col + 1)), p21);
                    p22 = TOps.MultiplyAdd(gp, TOps.Load(ref Unsafe.Add(ref r2, col + 2)), p22);
                }
            }
        }
        AddNine<TOps, TV>(ref Unsafe.Add(ref dw, o * s.PatchSize + c * 9), p00, p01, p02, p10, p11, p12, p20, p21, p22);
        if (c == 0) Unsafe.Add(ref db, o) += TOps.Sum(sp);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddNine<TOps, TV>(ref float d, TV v0, TV v1, TV v2, TV v3, TV v4, TV v5, TV v6, TV v7, TV v8)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        d += TOps.Sum(v0); Unsafe.Add(ref d, 1) += TOps.Sum(v1); Unsafe.Add(ref d, 2) += TOps.Sum(v2);
        Unsafe.Add(ref d, 3) += TOps.Sum(v3); Unsafe.Add(ref d, 4) += TOps.Sum(v4); Unsafe.Add(ref d, 5) += TOps.Sum(v5);
        Unsafe.Add(ref d, 6) += TOps.Sum(v6); Unsafe.Add(ref d, 7) += TOps.Sum(v7); Unsafe.Add(ref d, 8) += TOps.Sum(v8);
    }
}
