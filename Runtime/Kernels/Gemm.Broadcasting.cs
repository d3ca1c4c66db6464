using System.Runtime.CompilerServices;

namespace ModelGen.Kernels;

public static partial class Gemm
{
    // Kernel for C = op(A)·B where B's rows are contiguous: each C tile of 4 rows × 2 vectors stays in
    // registers over the whole k loop, fed by one broadcast A element per row and two B vector loads per step.
    // A[i, p] is read at a[i·aRowStride + p·aDepthStride], which covers both A and Aᵀ.
    private static void Broadcasting<TOps, TV>(ref float a, int aRowStride, int aDepthStride, ref float b, ref float c, int m, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int i = 0;
        if (TOps.Count == 16 && m >= 8)
        {
            // 32 vector registers: 8 rows × 3 vectors (24 accumulators, 3 loads + 8 broadcasts per 24 FMAs). Column
            // panels outermost, so a panel of B (k × 48) stays in L1 while every row block passes over it.
            int m8 = m / 8 * 8, n3 = n / 48 * 48;
            for (int j = 0; j < n3; j += 48)
                for (int r = 0; r < m8; r += 8)
                    EightRows<TOps, TV>(ref Unsafe.Add(ref a, r * aRowStride), aRowStride, aDepthStride, ref Unsafe.Add(ref b, j),
                        ref Unsafe.Add(ref c, r * n + j), n, k, accumulate);
            if (n3 < n)
                for (int r = 0; r < m8; r += 4)
                    FourRows<TOps, TV>(ref Unsafe.Add(ref a, r * aRowStride), aRowStride, aDepthStride, ref Unsafe.Add(ref b, n3),
                        ref Unsafe.Add(ref c, r * n + n3), n - n3, n, k, accumulate);
            i = m8;
        }
        for (; i + 4 <= m; i += 4)
            FourRows<TOps, TV>(ref Unsafe.Add(ref a, i * aRowStride), aRowStride, aDepthStride, ref b, ref Unsafe.Add(ref c, i * n), n, n, k, accumulate);
        for (; i < m; i++)
            OneRow<TOps, TV>(ref Unsafe.Add(ref a, i * aRowStride), aDepthStride, ref b, ref Unsafe.Add(ref c, i * n), n, n, k, accumulate);
    }

    // One 8 × 3-vector tile of C over the whole k loop (AVX-512 only: it needs 24 accumulators).
    private static void EightRows<TOps, TV>(ref float a, int rs, int ds, ref float b, ref float c, int ld, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero;
        TV c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero;
        TV c40 = TOps.Zero, c41 = TOps.Zero, c42 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero, c52 = TOps.Zero;
        TV c60 = TOps.Zero, c61 = TOps.Zero, c62 = TOps.Zero, c70 = TOps.Zero, c71 = TOps.Zero, c72 = TOps.Zero;
        // Row offsets and strides as native integers, computed once (see CellGemm.TileRx4).
        nint r1 = rs, r2 = 2 * (nint)rs, r3 = 3 * (nint)rs, r4 = 4 * (nint)rs, r5 = 5 * (nint)rs, r6 = 6 * (nint)rs, r7 = 7 * (nint)rs;
        nint step = ds, row = ld;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < k; p++)
        {
            TV b0 = TOps.Load(ref bp), b1 = TOps.Load(ref Unsafe.Add(ref bp, w)), b2 = TOps.Load(ref Unsafe.Add(ref bp, 2 * w));
            TV x = TOps.Broadcast(ap);
            c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01); c02 = TOps.MultiplyAdd(x, b2, c02);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11); c12 = TOps.MultiplyAdd(x, b2, c12);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r2));
            c20 = TOps.MultiplyAdd(x, b0, c20); c21 = TOps.MultiplyAdd(x, b1, c21); c22 = TOps.MultiplyAdd(x, b2, c22);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r3));
            c30 = TOps.MultiplyAdd(x, b0, c30); c31 = TOps.MultiplyAdd(x, b1, c31); c32 = TOps.MultiplyAdd(x, b2, c32);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r4));
            c40 = TOps.MultiplyAdd(x, b0, c40); c41 = TOps.MultiplyAdd(x, b1, c41); c42 = TOps.MultiplyAdd(x, b2, c42);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r5));
            c50 = TOps.MultiplyAdd(x, b0, c50); c51 = TOps.MultiplyAdd(x, b1, c51); c52 = TOps.MultiplyAdd(x, b2, c52);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r6));
            c60 = TOps.MultiplyAdd(x, b0, c60); c61 = TOps.MultiplyAdd(x, b1, c61); c62 = TOps.MultiplyAdd(x, b2, c62);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r7));
            c70 = TOps.MultiplyAdd(x, b0, c70); c71 = TOps.MultiplyAdd(x, b1, c71); c72 = TOps.MultiplyAdd(x, b2, c72);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, row);
        }
        ref float cp = ref c;
        PutThree<TOps, TV>(c00, c01, c02, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c10, c11, c12, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c20, c21, c22, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c30, c31, c32, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c40, c41, c42, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c50, c51, c52, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c60, c61, c62, ref cp, w, accumulate); cp = ref Unsafe.Add(ref cp, ld);
        PutThree<TOps, TV>(c70, c71, c72, ref cp, w, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutThree<TOps, TV>(TV v0, TV v1, TV v2, ref float destination, int w, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        Put<TOps, TV>(v0, ref destination, accumulate);
        Put<TOps, TV>(v1, ref Unsafe.Add(ref destination, w), accumulate);
        Put<TOps, TV>(v2, ref Unsafe.Add(ref destination, 2 * w), accumulate);
    }

    private static void FourRows<TOps, TV>(ref float a, int rs, int ds, ref float b, ref float c, int n, int ld, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        nint r1 = rs, r2 = 2 * (nint)rs, r3 = 3 * (nint)rs, step = ds, row = ld;
        int j = 0;
        for (; j + 2 * w <= n; j += 2 * w)
        {
            TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero;
            TV c20 = TOps.Zero, c21 = TOps.Zero, c30 = TOps.Zero, c31 = TOps.Zero;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                TV b0 = TOps.Load(ref bp);
                TV b1 = TOps.Load(ref Unsafe.Add(ref bp, w));
                TV a0 = TOps.Broadcast(ap);
                c00 = TOps.MultiplyAdd(a0, b0, c00); c01 = TOps.MultiplyAdd(a0, b1, c01);
                TV a1 = TOps.Broadcast(Unsafe.Add(ref ap, r1));
                c10 = TOps.MultiplyAdd(a1, b0, c10); c11 = TOps.MultiplyAdd(a1, b1, c11);
                TV a2 = TOps.Broadcast(Unsafe.Add(ref ap, r2));
                c20 = TOps.MultiplyAdd(a2, b0, c20); c21 = TOps.MultiplyAdd(a2, b1, c21);
                TV a3 = TOps.Broadcast(Unsafe.Add(ref ap, r3));
                c30 = TOps.MultiplyAdd(a3, b0, c30); c31 = TOps.MultiplyAdd(a3, b1, c31);
                ap = ref Unsafe.Add(ref ap, step);
                bp = ref Unsafe.Add(ref bp, row);
            }
            ref float cp = ref Unsafe.Add(ref c, j);
            Put<TOps, TV>(c00, ref cp, accumulate); Put<TOps, TV>(c01, ref Unsafe.Add(ref cp, w), accumulate);
            cp = ref Unsafe.Add(ref cp, ld);
            Put<TOps, TV>(c10, ref cp, accumulate); Put<TOps, TV>(c11, ref Unsafe.Add(ref cp, w), accumulate);
            cp = ref Unsafe.Add(ref cp, ld);
            Put<TOps, TV>(c20, ref cp, accumulate); Put<TOps, TV>(c21, ref Unsafe.Add(ref cp, w), accumulate);
            cp = ref Unsafe.Add(ref cp, ld);
            Put<TOps, TV>(c30, ref cp, accumulate); Put<TOps, TV>(c31, ref Unsafe.Add(ref cp, w), accumulate);
        }
        for (; j + w <= n; j += w)
        {
            TV c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                TV b0 = TOps.Load(ref bp);
                c0 = TOps.MultiplyAdd(TOps.Broadcast(ap), b0, c0);
                c1 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ap, r1)), b0, c1);
                c2 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ap, r2)), b0, c2);
                c3 = TOps.MultiplyAdd(TOps.Broadcast(Unsafe.Add(ref ap, r3)), b0, c3);
                ap = ref Unsafe.Add(ref ap, step);
                bp = ref Unsafe.Add(ref bp, row);
            }
            ref float cp = ref Unsafe.Add(ref c, j);
            Put<TOps, TV>(c0, ref cp, accumulate);
            Put<TOps, TV>(c1, ref Unsafe.Add(ref cp, ld), accumulate);
            Put<TOps, TV>(c2, ref Unsafe.Add(ref cp, 2 * ld), accumulate);
            Put<TOps, TV>(c3, ref Unsafe.Add(ref cp, 3 * ld), accumulate);
        }
        // Fewer than one vector of columns left: scalar, still four rows at a time.
        for (; j < n; j++)
        {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                float bv = bp;
                s0 += ap * bv;
                s1 += Unsafe.Add(ref ap, rs) * bv;
                s2 += Unsafe.Add(ref ap, 2 * rs) * bv;
                s3 += Unsafe.Add(ref ap, 3 * rs) * bv;
                ap = ref Unsafe.Add(ref ap, ds);
                bp = ref Unsafe.Add(ref bp, ld);
            }
            ref float cp = ref Unsafe.Add(ref c, j);
            Put(s0, ref cp, accumulate);
            Put(s1, ref Unsafe.Add(ref cp, ld), accumulate);
            Put(s2, ref Unsafe.Add(ref cp, 2 * ld), accumulate);
            Put(s3, ref Unsafe.Add(ref cp, 3 * ld), accumulate);
        }
    }

    private static void OneRow<TOps, TV>(ref float a, int ds, ref float b, ref float c, int n, int ld, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        int j = 0;
        // Four column vectors per pass so a single row still has four independent FMA chains.
        for (; j + 4 * w <= n; j += 4 * w)
        {
            TV c0 = TOps.Zero, c1 = TOps.Zero, c2 = TOps.Zero, c3 = TOps.Zero;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                TV av = TOps.Broadcast(ap);
                c0 = TOps.MultiplyAdd(av, TOps.Load(ref bp), c0);
                c1 = TOps.MultiplyAdd(av, TOps.Load(ref Unsafe.Add(ref bp, w)), c1);
                c2 = TOps.MultiplyAdd(av, TOps.Load(ref Unsafe.Add(ref bp, 2 * w)), c2);
                c3 = TOps.MultiplyAdd(av, TOps.Load(ref Unsafe.Add(ref bp, 3 * w)), c3);
                ap = ref Unsafe.Add(ref ap, ds);
                bp = ref Unsafe.Add(ref bp, ld);
            }
            ref float cp = ref Unsafe.Add(ref c, j);
            Put<TOps, TV>(c0, ref cp, accumulate);
            Put<TOps, TV>(c1, ref Unsafe.Add(ref cp, w), accumulate);
            Put<TOps, TV>(c2, ref Unsafe.Add(ref cp, 2 * w), accumulate);
            Put<TOps, TV>(c3, ref Unsafe.Add(ref cp, 3 * w), accumulate);
        }
        for (; j + w <= n; j += w)
        {
            TV c0 = TOps.Zero;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                c0 = TOps.MultiplyAdd(TOps.Broadcast(ap), TOps.Load(ref bp), c0);
                ap = ref Unsafe.Add(ref ap, ds);
                bp = ref Unsafe.Add(ref bp, ld);
            }
            Put<TOps, TV>(c0, ref Unsafe.Add(ref c, j), accumulate);
        }
        for (; j < n; j++)
        {
            float s = 0;
            ref float ap = ref a;
            ref float bp = ref Unsafe.Add(ref b, j);
            for (int p = 0; p < k; p++)
            {
                s += ap * bp;
                ap = ref Unsafe.Add(ref ap, ds);
                bp = ref Unsafe.Add(ref bp, ld);
            }
            Put(s, ref Unsafe.Add(ref c, j), accumulate);
        }
    }
}
