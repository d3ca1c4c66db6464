using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The recurrent product of a few rows against W as stored: c[m × n] += a[m × k]·b[n × k]ᵀ for small m
/// (streaming, batch 1). Every output is a dot product along k; instead of one horizontal sum per output, 16
/// (AVX-512) or 8 (AVX) rows of b are accumulated side by side and their partial-sum vectors are reduced
/// together by a transposing tree of permutes and adds, so one vector of finished outputs is added to c at once.
/// </summary>
internal static class CellGemv
{
    public static void MultiplyTransposedBAccumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        KernelChecks.AtLeast(a.Length, KernelChecks.Elements(m, k), nameof(a));
        KernelChecks.AtLeast(b.Length, KernelChecks.Elements(n, k), nameof(b));
        KernelChecks.AtLeast(c.Length, KernelChecks.Elements(m, n), nameof(c));
        int width = CellPath.Width;
        if (width == 512 && Avx512F.IsSupported && k >= 16)
        {
            for (int i = 0; i < m; i++)
                Row512(ref MemoryMarshal.GetReference(a.Slice(i * k)), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c.Slice(i * n)), n, k);
        }
        else if (width >= 256 && Avx.IsSupported && Fma.IsSupported && k >= 8)
        {
            for (int i = 0; i < m; i++)
                Row256(ref MemoryMarshal.GetReference(a.Slice(i * k)), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c.Slice(i * n)), n, k);
        }
        else
        {
            Gemm.MultiplyTransposedB(a, b, c, m, n, k, accumulate: true);
        }
    }

    private static float Tail(ref float x, ref float y, int from, int k)
    {
        float s = 0f;
        for (int p = from; p < k; p++) s += Unsafe.Add(ref x, p) * Unsafe.Add(ref y, p);
        return s;
    }

    // Lane l of the result of level "group size gs": even groups from (x, y) in lo, odd groups in hi.
    private static readonly Vector512<int> Lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    private static readonly Vector512<int> Hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    private static readonly Vector512<int> Lo4 = Vector512.Create(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    private static readonly Vector512<int> Hi4 = Vector512.Create(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    private static readonly Vector512<int> Lo2 = Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    private static readonly Vector512<int> Hi2 = Vector512.Create(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    private static readonly Vector512<int> Lo1 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Hi1 = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold(Vector512<float> x, Vector512<float> y, Vector512<int> lo, Vector512<int> hi)
        => Avx512F.PermuteVar16x32x2(x, lo, y) + Avx512F.PermuteVar16x32x2(x, hi, y);

    private static void Row512(ref float a, ref float b, ref float c, int n, int k)
    {
        int full = k & ~15;
        Vector512<int> lo8 = Lo8, hi8 = Hi8, lo4 = Lo4, hi4 = Hi4, lo2 = Lo2, hi2 = Hi2, lo1 = Lo1, hi1 = Hi1;
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            ref float b0 = ref Unsafe.Add(ref b, j * k);
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            Vector512<float> s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
            for (int p = 0; p < full; p += 16)
            {
                Vector512<float> x = Vector512.LoadUnsafe(ref a, (nuint)p);
                ref float bp = ref Unsafe.Add(ref b0, p);
                s0 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp), s0);
                s1 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)k), s1);
                s2 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(2 * k)), s2);
                s3 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(3 * k)), s3);
                s4 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(4 * k)), s4);
                s5 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(5 * k)), s5);
                s6 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(6 * k)), s6);
                s7 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(7 * k)), s7);
                s8 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(8 * k)), s8);
                s9 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(9 * k)), s9);
                s10 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(10 * k)), s10);
                s11 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(11 * k)), s11);
                s12 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(12 * k)), s12);
                s13 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(13 * k)), s13);
                s14 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(14 * k)), s14);
                s15 = Avx512F.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, (nuint)(15 * k)), s15);
            }
            // 16 vectors of 16 partial sums → one vector of 16 row sums.
            Vector512<float> u0 = Fold(s0, s1, lo8, hi8), u1 = Fold(s2, s3, lo8, hi8), u2 = Fold(s4, s5, lo8, hi8), u3 = Fold(s6, s7, lo8, hi8);
            Vector512<float> u4 = Fold(s8, s9, lo8, hi8), u5 = Fold(s10, s11, lo8, hi8), u6 = Fold(s12, s13, lo8, hi8), u7 = Fold(s14, s15, lo8, hi8);
            Vector512<float> w0 = Fold(u0, u1, lo4, hi4), w1 = Fold(u2, u3, lo4, hi4), w2 = Fold(u4, u5, lo4, hi4), w3 = Fold(u6, u7, lo4, hi4);
            Vector512<float> z0 = Fold(w0, w1, lo2, hi2), z1 = Fold(w2, w3, lo2, hi2);
            Vector512<float> sums = Fold(z0, z1, lo1, hi1);
            ref float cj = ref Unsafe.Add(ref c, j);
            (Vector512.LoadUnsafe(ref cj) + sums).StoreUnsafe(ref cj);
            if (full < k)
                for (int r = 0; r < 16; r++)
                    Unsafe.Add(ref cj, r) += Tail(ref a, ref Unsafe.Add(ref b0, r * k), full, k);
        }
        for (; j < n; j++)
        {
            ref float bj = ref Unsafe.Add(ref b, j * k);
            Vector512<float> s = default;
            for (int p = 0; p < full; p += 16)
                s = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref a, (nuint)p), Vector512.LoadUnsafe(ref bj, (nuint)p), s);
            Unsafe.Add(ref c, j) += Vector512.Sum(s) + Tail(ref a, ref bj, full, k);
        }
    }

    private static void Row256(ref float a, ref float b, ref float c, int n, int k)
    {
        int full = k & ~7;
        int j = 0;
        for (; j + 8 <= n; j += 8)
        {
            ref float b0 = ref Unsafe.Add(ref b, j * k);
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0; p < full; p += 8)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref a, (nuint)p);
                ref float bp = ref Unsafe.Add(ref b0, p);
                s0 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp), s0);
                s1 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)k), s1);
                s2 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(2 * k)), s2);
                s3 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(3 * k)), s3);
                s4 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(4 * k)), s4);
                s5 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(5 * k)), s5);
                s6 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(6 * k)), s6);
                s7 = Fma.MultiplyAdd(x, Vector256.LoadUnsafe(ref bp, (nuint)(7 * k)), s7);
            }
            // hadd tree: lanes of t0123 are rows 0–3 (low half: partials 0–3, high half: 4–7), likewise t4567.
            Vector256<float> t0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(s0, s1), Avx.HorizontalAdd(s2, s3));
            Vector256<float> t4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(s4, s5), Avx.HorizontalAdd(s6, s7));
            Vector256<float> sums = Avx.Permute2x128(t0123, t4567, 0x20) + Avx.Permute2x128(t0123, t4567, 0x31);
            ref float cj = ref Unsafe.Add(ref c, j);
            (Vector256.LoadUnsafe(ref cj) + sums).StoreUnsafe(ref cj);
            if (full < k)
                for (int r = 0; r < 8; r++)
                    Unsafe.Add(ref cj, r) += Tail(ref a, ref Unsafe.Add(ref b0, r * k), full, k);
        }
        for (; j < n; j++)
        {
            ref float bj = ref Unsafe.Add(ref b, j * k);
            Vector256<float> s = default;
            for (int p = 0; p < full; p += 8)
                s = Fma.MultiplyAdd(Vector256.LoadUnsafe(ref a, (nuint)p), Vector256.LoadUnsafe(ref bj, (nuint)p), s);
            Unsafe.Add(ref c, j) += Vector256.Sum(s) + Tail(ref a, ref bj, full, k);
        }
    }
}
