using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The recurrent product of a few rows against W as stored: c[m × n] += a[m × k]·b[n × k]ᵀ for small m
/// (streaming, batch 1). AVX-512: each row is one <see cref="Gemv"/> (aligned whole-line reads of W, sums of 16 rows
/// folded together). AVX: every output is a dot product along k; 8 rows of b are accumulated side by side and
/// their partial-sum vectors are reduced together by a hadd tree, so one vector of finished outputs is added at once.
/// </summary>
internal static class CellGemv
{
    public static void MultiplyTransposedBAccumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        KernelChecks.AtLeast(a.Length, KernelChecks.Elements(m, k), nameof(a));
        KernelChecks.AtLeast(b.Length, KernelChecks.Elements(n, k), nameof(b));
        KernelChecks.AtLeast(c.Length, KernelChecks.Elements(m, n), nameof(c));
        int width = CellPath.Width;
        if (width == 512 && Gemv.Supports(512))
        {
            for (int i = 0; i < m; i++)
                Gemv.Multiply(ref MemoryMarshal.GetReference(a.Slice(i * k)), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(c.Slice(i * n)), n, k, accumulate: true, 512);
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
