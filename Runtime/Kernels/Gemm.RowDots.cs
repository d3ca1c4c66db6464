using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

public static partial class Gemm
{
    // Kernel for C = A·Bᵀ: every C element is a dot product of two contiguous rows of length k, so we
    // vectorize along k. A block of 2 A-rows × 4 B-rows keeps 8 accumulators in registers and reuses every
    // loaded vector 2–4 times; the horizontal sums happen once per C element, after the k loop.
    // Batch-1 inference (m == 1) runs the 1 × 4 block, a GEMV that streams each weight once.
    private static void RowDots<TOps, TV>(ref float a, ref float b, ref float c, int m, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int i = 0;
        // 4 × 4 blocks (16 accumulators, 8 loads per 16 FMAs) where there are 32 vector registers (AVX-512);
        // with 16 registers (AVX2) they would spill, so those take the 2 × 4 blocks below.
        if (TOps.Count == 16)
        {
            for (; i + 4 <= m; i += 4)
            {
                ref float a0 = ref Unsafe.Add(ref a, i * k);
                ref float c0 = ref Unsafe.Add(ref c, i * n);
                int j = 0;
                for (; j + 4 <= n; j += 4)
                    FourByFour<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), ref Unsafe.Add(ref c0, j), n, k, accumulate);
                for (; j < n; j++)
                    FourByOne<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), ref Unsafe.Add(ref c0, j), n, k, accumulate);
            }
        }
        for (; i + 2 <= m; i += 2)
        {
            ref float a0 = ref Unsafe.Add(ref a, i * k);
            ref float c0 = ref Unsafe.Add(ref c, i * n);
            int j = 0;
            for (; j + 4 <= n; j += 4)
                TwoByFour<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), ref Unsafe.Add(ref c0, j), n, k, accumulate);
            for (; j < n; j++)
            {
                ref float bj = ref Unsafe.Add(ref b, j * k);
                Put(Dot<TOps, TV>(ref a0, ref bj, k), ref Unsafe.Add(ref c0, j), accumulate);
                Put(Dot<TOps, TV>(ref Unsafe.Add(ref a0, k), ref bj, k), ref Unsafe.Add(ref c0, n + j), accumulate);
            }
        }
        for (; i < m; i++)
        {
            ref float a0 = ref Unsafe.Add(ref a, i * k);
            ref float c0 = ref Unsafe.Add(ref c, i * n);
            // Batch 1: the streaming GEMV kernel (W read as two sequential streams, 16 rows' sums folded together).
            if (TOps.Count == 16 && Gemv.Supports(512)) { Gemv.Multiply(ref a0, ref b, ref c0, n, k, accumulate, 512); continue; }
            if (TOps.Count == 8 && Gemv.Supports(256)) { Gemv.Multiply(ref a0, ref b, ref c0, n, k, accumulate, 256); continue; }
            int j = 0;
            // GEMV (batch-1 inference): eight weight rows per pass, eight independent FMA chains, one load of x per
            // eight weight loads; the weights stream through once.
            for (; j + 8 <= n; j += 8)
                OneByEight<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), ref Unsafe.Add(ref c0, j), k, accumulate);
            for (; j + 4 <= n; j += 4)
                OneByFour<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), ref Unsafe.Add(ref c0, j), k, accumulate);
            for (; j < n; j++)
                Put(Dot<TOps, TV>(ref a0, ref Unsafe.Add(ref b, j * k), k), ref Unsafe.Add(ref c0, j), accumulate);
        }
    }

    private static void FourByFour<TOps, TV>(ref float a0, ref float b0, ref float c, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float a1 = ref Unsafe.Add(ref a0, k);
        ref float a2 = ref Unsafe.Add(ref a0, 2 * k);
        ref float a3 = ref Unsafe.Add(ref a0, 3 * k);
        ref float b1 = ref Unsafe.Add(ref b0, k);
        ref float b2 = ref Unsafe.Add(ref b0, 2 * k);
        ref float b3 = ref Unsafe.Add(ref b0, 3 * k);
        TV s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TV s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        TV s20 = TOps.Zero, s21 = TOps.Zero, s22 = TOps.Zero, s23 = TOps.Zero;
        TV s30 = TOps.Zero, s31 = TOps.Zero, s32 = TOps.Zero, s33 = TOps.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV y0 = TOps.Load(ref Unsafe.Add(ref b0, p)), y1 = TOps.Load(ref Unsafe.Add(ref b1, p));
            TV y2 = TOps.Load(ref Unsafe.Add(ref b2, p)), y3 = TOps.Load(ref Unsafe.Add(ref b3, p));
            TV x = TOps.Load(ref Unsafe.Add(ref a0, p));
            s00 = TOps.MultiplyAdd(x, y0, s00); s01 = TOps.MultiplyAdd(x, y1, s01);
            s02 = TOps.MultiplyAdd(x, y2, s02); s03 = TOps.MultiplyAdd(x, y3, s03);
            x = TOps.Load(ref Unsafe.Add(ref a1, p));
            s10 = TOps.MultiplyAdd(x, y0, s10); s11 = TOps.MultiplyAdd(x, y1, s11);
            s12 = TOps.MultiplyAdd(x, y2, s12); s13 = TOps.MultiplyAdd(x, y3, s13);
            x = TOps.Load(ref Unsafe.Add(ref a2, p));
            s20 = TOps.MultiplyAdd(x, y0, s20); s21 = TOps.MultiplyAdd(x, y1, s21);
            s22 = TOps.MultiplyAdd(x, y2, s22); s23 = TOps.MultiplyAdd(x, y3, s23);
            x = TOps.Load(ref Unsafe.Add(ref a3, p));
            s30 = TOps.MultiplyAdd(x, y0, s30); s31 = TOps.MultiplyAdd(x, y1, s31);
            s32 = TOps.MultiplyAdd(x, y2, s32); s33 = TOps.MultiplyAdd(x, y3, s33);
        }
        Vector128<float> r0 = TOps.Sum4(s00, s01, s02, s03), r1 = TOps.Sum4(s10, s11, s12, s13);
        Vector128<float> r2 = TOps.Sum4(s20, s21, s22, s23), r3 = TOps.Sum4(s30, s31, s32, s33);
        for (; p < k; p++)
        {
            var y = Vector128.Create(Unsafe.Add(ref b0, p), Unsafe.Add(ref b1, p), Unsafe.Add(ref b2, p), Unsafe.Add(ref b3, p));
            r0 += Vector128.Create(Unsafe.Add(ref a0, p)) * y;
            r1 += Vector128.Create(Unsafe.Add(ref a1, p)) * y;
            r2 += Vector128.Create(Unsafe.Add(ref a2, p)) * y;
            r3 += Vector128.Create(Unsafe.Add(ref a3, p)) * y;
        }
        PutVector(r0, ref c, accumulate);
        PutVector(r1, ref Unsafe.Add(ref c, n), accumulate);
        PutVector(r2, ref Unsafe.Add(ref c, 2 * n), accumulate);
        PutVector(r3, ref Unsafe.Add(ref c, 3 * n), accumulate);
    }

    // Four A rows against one B row (the columns left over after the 4 × 4 blocks): [C0j, C1j, C2j, C3j] at once.
    private static void FourByOne<TOps, TV>(ref float a0, ref float b0, ref float c, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float a1 = ref Unsafe.Add(ref a0, k);
        ref float a2 = ref Unsafe.Add(ref a0, 2 * k);
        ref float a3 = ref Unsafe.Add(ref a0, 3 * k);
        TV s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV y = TOps.Load(ref Unsafe.Add(ref b0, p));
            s0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref a0, p)), y, s0);
            s1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref a1, p)), y, s1);
            s2 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref a2, p)), y, s2);
            s3 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref a3, p)), y, s3);
        }
        Vector128<float> r = TOps.Sum4(s0, s1, s2, s3);
        for (; p < k; p++)
            r += Vector128.Create(Unsafe.Add(ref a0, p), Unsafe.Add(ref a1, p), Unsafe.Add(ref a2, p), Unsafe.Add(ref a3, p)) * Vector128.Create(Unsafe.Add(ref b0, p));
        Put(r.GetElement(0), ref c, accumulate);
        Put(r.GetElement(1), ref Unsafe.Add(ref c, n), accumulate);
        Put(r.GetElement(2), ref Unsafe.Add(ref c, 2 * n), accumulate);
        Put(r.GetElement(3), ref Unsafe.Add(ref c, 3 * n), accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutVector(Vector128<float> value, ref float destination, bool accumulate)
    {
        if (accumulate) value += Vector128.LoadUnsafe(ref destination);
        value.StoreUnsafe(ref destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PutFour(float r0, float r1, float r2, float r3, ref float c, bool accumulate)
    {
        Put(r0, ref c, accumulate); Put(r1, ref Unsafe.Add(ref c, 1), accumulate);
        Put(r2, ref Unsafe.Add(ref c, 2), accumulate); Put(r3, ref Unsafe.Add(ref c, 3), accumulate);
    }

    private static void OneByEight<TOps, TV>(ref float a0, ref float b0, ref float c, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float b1 = ref Unsafe.Add(ref b0, k);
        ref float b2 = ref Unsafe.Add(ref b0, 2 * k);
        ref float b3 = ref Unsafe.Add(ref b0, 3 * k);
        ref float b4 = ref Unsafe.Add(ref b0, 4 * k);
        ref float b5 = ref Unsafe.Add(ref b0, 5 * k);
        ref float b6 = ref Unsafe.Add(ref b0, 6 * k);
        ref float b7 = ref Unsafe.Add(ref b0, 7 * k);
        TV s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        TV s4 = TOps.Zero, s5 = TOps.Zero, s6 = TOps.Zero, s7 = TOps.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV x = TOps.Load(ref Unsafe.Add(ref a0, p));
            s0 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b0, p)), s0);
            s1 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b1, p)), s1);
            s2 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b2, p)), s2);
            s3 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b3, p)), s3);
            s4 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b4, p)), s4);
            s5 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b5, p)), s5);
            s6 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b6, p)), s6);
            s7 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b7, p)), s7);
        }
        float r0 = TOps.Sum(s0), r1 = TOps.Sum(s1), r2 = TOps.Sum(s2), r3 = TOps.Sum(s3);
        float r4 = TOps.Sum(s4), r5 = TOps.Sum(s5), r6 = TOps.Sum(s6), r7 = TOps.Sum(s7);
        for (; p < k; p++)
        {
            float x = Unsafe.Add(ref a0, p);
            r0 += x * Unsafe.Add(ref b0, p); r1 += x * Unsafe.Add(ref b1, p);
            r2 += x * Unsafe.Add(ref b2, p); r3 += x * Unsafe.Add(ref b3, p);
            r4 += x * Unsafe.Add(ref b4, p); r5 += x * Unsafe.Add(ref b5, p);
            r6 += x * Unsafe.Add(ref b6, p); r7 += x * Unsafe.Add(ref b7, p);
        }
        PutFour(r0, r1, r2, r3, ref c, accumulate);
        PutFour(r4, r5, r6, r7, ref Unsafe.Add(ref c, 4), accumulate);
    }

    private static void TwoByFour<TOps, TV>(ref float a0, ref float b0, ref float c, int n, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float a1 = ref Unsafe.Add(ref a0, k);
        ref float b1 = ref Unsafe.Add(ref b0, k);
        ref float b2 = ref Unsafe.Add(ref b0, 2 * k);
        ref float b3 = ref Unsafe.Add(ref b0, 3 * k);
        TV s00 = TOps.Zero, s01 = TOps.Zero, s02 = TOps.Zero, s03 = TOps.Zero;
        TV s10 = TOps.Zero, s11 = TOps.Zero, s12 = TOps.Zero, s13 = TOps.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV x0 = TOps.Load(ref Unsafe.Add(ref a0, p));
            TV x1 = TOps.Load(ref Unsafe.Add(ref a1, p));
            TV y = TOps.Load(ref Unsafe.Add(ref b0, p));
            s00 = TOps.MultiplyAdd(x0, y, s00); s10 = TOps.MultiplyAdd(x1, y, s10);
            y = TOps.Load(ref Unsafe.Add(ref b1, p));
            s01 = TOps.MultiplyAdd(x0, y, s01); s11 = TOps.MultiplyAdd(x1, y, s11);
            y = TOps.Load(ref Unsafe.Add(ref b2, p));
            s02 = TOps.MultiplyAdd(x0, y, s02); s12 = TOps.MultiplyAdd(x1, y, s12);
            y = TOps.Load(ref Unsafe.Add(ref b3, p));
            s03 = TOps.MultiplyAdd(x0, y, s03); s13 = TOps.MultiplyAdd(x1, y, s13);
        }
        Vector128<float> r0 = TOps.Sum4(s00, s01, s02, s03), r1 = TOps.Sum4(s10, s11, s12, s13);
        for (; p < k; p++)
        {
            var y = Vector128.Create(Unsafe.Add(ref b0, p), Unsafe.Add(ref b1, p), Unsafe.Add(ref b2, p), Unsafe.Add(ref b3, p));
            r0 += Vector128.Create(Unsafe.Add(ref a0, p)) * y;
            r1 += Vector128.Create(Unsafe.Add(ref a1, p)) * y;
        }
        PutVector(r0, ref c, accumulate);
        PutVector(r1, ref Unsafe.Add(ref c, n), accumulate);
    }

    private static void OneByFour<TOps, TV>(ref float a0, ref float b0, ref float c, int k, bool accumulate)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float b1 = ref Unsafe.Add(ref b0, k);
        ref float b2 = ref Unsafe.Add(ref b0, 2 * k);
        ref float b3 = ref Unsafe.Add(ref b0, 3 * k);
        TV s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV x = TOps.Load(ref Unsafe.Add(ref a0, p));
            s0 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b0, p)), s0);
            s1 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b1, p)), s1);
            s2 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b2, p)), s2);
            s3 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref b3, p)), s3);
        }
        float r0 = TOps.Sum(s0), r1 = TOps.Sum(s1), r2 = TOps.Sum(s2), r3 = TOps.Sum(s3);
        for (; p < k; p++)
        {
            float x = Unsafe.Add(ref a0, p);
            r0 += x * Unsafe.Add(ref b0, p); r1 += x * Unsafe.Add(ref b1, p);
            r2 += x * Unsafe.Add(ref b2, p); r3 += x * Unsafe.Add(ref b3, p);
        }
        Put(r0, ref c, accumulate); Put(r1, ref Unsafe.Add(ref c, 1), accumulate);
        Put(r2, ref Unsafe.Add(ref c, 2), accumulate); Put(r3, ref Unsafe.Add(ref c, 3), accumulate);
    }

    // Two accumulators hide FMA latency for the odd leftover dot products.
    private static float Dot<TOps, TV>(ref float x, ref float y, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        TV s0 = TOps.Zero, s1 = TOps.Zero;
        int p = 0;
        for (; p + 2 * w <= k; p += 2 * w)
        {
            s0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref x, p)), TOps.Load(ref Unsafe.Add(ref y, p)), s0);
            s1 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref x, p + w)), TOps.Load(ref Unsafe.Add(ref y, p + w)), s1);
        }
        if (p + w <= k)
        {
            s0 = TOps.MultiplyAdd(TOps.Load(ref Unsafe.Add(ref x, p)), TOps.Load(ref Unsafe.Add(ref y, p)), s0);
            p += w;
        }
        float r = TOps.Sum(TOps.Add(s0, s1));
        for (; p < k; p++)
            r += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        return r;
    }
}
