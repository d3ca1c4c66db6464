using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The recurrent product of a few rows against W as stored: c[m × n] += a[m × k]·b[n × k]ᵀ for small m
/// (streaming, batch 1); and, for the LSTM's batch-1 steps, <see cref="Gates512"/>: bias, input projections and the
/// product in one pass at small H. AVX-512: rows of k ∈ {16, 32, 48, 64, 128} held in registers against 16 rows of b at a
/// time (<see cref="Gates512"/> without a bias), other rows one <see cref="Gemv"/> each (W streamed two rows at a time,
/// sums of 16 rows folded together). AVX: every output is a dot product along k; 8 rows of b are accumulated side by side and
/// their partial-sum vectors are reduced together by a hadd tree, so one vector of finished outputs is added at once.
/// </summary>
internal static partial class CellGemv
{

    public static void MultiplyTransposedBAccumulate(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        KernelChecks.AtLeast(a.Length, KernelChecks.Elements(m, k), nameof(a));
        KernelChecks.AtLeast(b.Length, KernelChecks.Elements(n, k), nameof(b));
        KernelChecks.AtLeast(c.Length, KernelChecks.Elements(m, n), nameof(c));
        int width = CellPath.Width;
        if (width == 512 && SupportsGates512(k))
        {
            // Rows of 16–64 or 128 floats: the row held in registers against 16 rows of b at a time (Gates512 with
            // c as its pre and no bias); about twice the rate of the general GEMV, which reloads the row every time.
            for (int i = 0; i < m; i++)
            {
                ref float ci = ref MemoryMarshal.GetReference(c.Slice(i * n));
                Gates512(ref ci, ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(b), ref MemoryMarshal.GetReference(a.Slice(i * k)), ref ci, n, k);
            }
        }
        else if (width == 512 && Gemv.Supports(512))
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

    /// <summary>Whether <see cref="Gates512"/> handles <paramref name="k"/> on this machine: 16, 32, 48, 64 or 128.</summary>
    public static bool SupportsGates512(int k) => Avx512F.IsSupported && ((k > 0 && k <= 64 && (k & 15) == 0) || k == 128);

    /// <summary>
    /// The batch-1 gate pre-activations a = pre + bias + W·x (W row-major [n × k]) for k accepted by
    /// <see cref="SupportsGates512"/>: <see cref="Gates128x512"/> for k = 128, <see cref="GatesSmall512"/> otherwise.
    /// A null <paramref name="bias"/> (<see cref="Unsafe.NullRef{T}"/>) means none: a = pre + W·x.
    /// </summary>
    public static void Gates512(ref float pre, ref float bias, ref float w, ref float x, ref float a, int n, int k)
    {
        if (k == 128) Gates128x512(ref pre, ref bias, ref w, ref x, ref a, n);
        else GatesSmall512(ref pre, ref bias, ref w, ref x, ref a, n, k);
    }

    /// <summary>
    /// a[j] = pre[j] + bias[j] + W[j, :]·x for j &lt; n, k ∈ {16, 32, 48, 64}: x is held in
    /// up to four registers, 16 rows of W are dotted side by side (independent chains) and their partial-sum vectors
    /// reduced by a permute tree into one vector of 16 outputs. n mod 16 leftover rows are summed one by one.
    /// <paramref name="a"/> may alias <paramref name="pre"/>; it must not overlap W or x.
    /// </summary>
    private static void GatesSmall512(ref float pre, ref float bias, ref float w, ref float x, ref float a, int n, int k)
    {
        switch (k >> 4)
        {
            case 1: GatesSmall512<V1>(ref pre, ref bias, ref w, ref x, ref a, n); break;
            case 2: GatesSmall512<V2>(ref pre, ref bias, ref w, ref x, ref a, n); break;
            case 3: GatesSmall512<V3>(ref pre, ref bias, ref w, ref x, ref a, n); break;
            default: GatesSmall512<V4>(ref pre, ref bias, ref w, ref x, ref a, n); break;
        }
    }

    /// <summary>The vector pre + bias at j; pre alone when bias is a null reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Input(ref float pre, ref float bias, int j)
    {
        Vector512<float> p = Vector512.LoadUnsafe(ref Unsafe.Add(ref pre, j));
        return Unsafe.IsNullRef(ref bias) ? p : p + Vector512.LoadUnsafe(ref Unsafe.Add(ref bias, j));
    }

    /// <summary>The float pre + bias at j; pre alone when bias is a null reference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float InputAt(ref float pre, ref float bias, int j)
        => Unsafe.IsNullRef(ref bias) ? Unsafe.Add(ref pre, j) : Unsafe.Add(ref pre, j) + Unsafe.Add(ref bias, j);

    /// <summary>How many vectors of 16 floats a row holds: a type argument, so each count gets its own branch-free kernel.</summary>
    private interface IVectors { static abstract int N { get; } }
    private struct V1 : IVectors { public static int N => 1; }
    private struct V2 : IVectors { public static int N => 2; }
    private struct V3 : IVectors { public static int N => 3; }
    private struct V4 : IVectors { public static int N => 4; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void GatesSmall512<TN>(ref float pre, ref float bias, ref float w, ref float x, ref float a, int n) where TN : struct, IVectors
    {
        int nv = TN.N, k = 16 * nv;
        Vector512<float> x0 = Vector512.LoadUnsafe(ref x);
        Vector512<float> x1 = nv > 1 ? Vector512.LoadUnsafe(ref x, 16) : default;
        Vector512<float> x2 = nv > 2 ? Vector512.LoadUnsafe(ref x, 32) : default;
        Vector512<float> x3 = nv > 3 ? Vector512.LoadUnsafe(ref x, 48) : default;
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            Vector512<float> sums = Sums16(ref Unsafe.Add(ref w, j * k), x0, x1, x2, x3, nv);
            sums += Input(ref pre, ref bias, j);
            sums.StoreUnsafe(ref Unsafe.Add(ref a, j));
        }
        for (; j < n; j++)
            Unsafe.Add(ref a, j) = InputAt(ref pre, ref bias, j) + Vector512.Sum(Row(ref Unsafe.Add(ref w, j * k), x0, x1, x2, x3, nv));
    }

    /// <summary>The 16 dot products W[r … r + 15, :]·x (k = 16·nv, x in up to four registers) as one vector, lane r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sums16(ref float r, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, int nv)
    {
        int k = 16 * nv;
        Vector512<float> q0 = Quad(Row(ref r, x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 8 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 4 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 12 * k), x0, x1, x2, x3, nv));
        Vector512<float> q1 = Quad(Row(ref Unsafe.Add(ref r, k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 9 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 5 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 13 * k), x0, x1, x2, x3, nv));
        Vector512<float> q2 = Quad(Row(ref Unsafe.Add(ref r, 2 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 10 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 6 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 14 * k), x0, x1, x2, x3, nv));
        Vector512<float> q3 = Quad(Row(ref Unsafe.Add(ref r, 3 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 11 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 7 * k), x0, x1, x2, x3, nv), Row(ref Unsafe.Add(ref r, 15 * k), x0, x1, x2, x3, nv));
        return Final(q0, q1, q2, q3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(ref float r, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, int nv)
    {
        Vector512<float> s = Vector512.LoadUnsafe(ref r) * x0;
        if (nv > 1)
        {
            s = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 16), x1, s);
            if (nv > 2)
            {
                Vector512<float> t = Vector512.LoadUnsafe(ref r, 32) * x2;
                if (nv > 3) t = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 48), x3, t);
                s += t;
            }
        }
        return s;
    }

    /// <summary>
    /// <see cref="GatesSmall512"/> for k = 128: x held in eight registers, each row two chains of four FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Gates128x512(ref float pre, ref float bias, ref float w, ref float x, ref float a, int n)
    {
        const int k = 128;
        Vector512<float> x0 = Vector512.LoadUnsafe(ref x), x1 = Vector512.LoadUnsafe(ref x, 16);
        Vector512<float> x2 = Vector512.LoadUnsafe(ref x, 32), x3 = Vector512.LoadUnsafe(ref x, 48);
        Vector512<float> x4 = Vector512.LoadUnsafe(ref x, 64), x5 = Vector512.LoadUnsafe(ref x, 80);
        Vector512<float> x6 = Vector512.LoadUnsafe(ref x, 96), x7 = Vector512.LoadUnsafe(ref x, 112);
        int j = 0;
        for (; j + 16 <= n; j += 16)
        {
            Vector512<float> sums = Sums128(ref Unsafe.Add(ref w, j * k), x0, x1, x2, x3, x4, x5, x6, x7);
            sums += Input(ref pre, ref bias, j);
            sums.StoreUnsafe(ref Unsafe.Add(ref a, j));
        }
        for (; j < n; j++)
            Unsafe.Add(ref a, j) = InputAt(ref pre, ref bias, j) + Vector512.Sum(Row8(ref Unsafe.Add(ref w, j * k), x0, x1, x2, x3, x4, x5, x6, x7));
    }

    /// <summary>The 16 dot products W[r … r + 15, :]·x for k = 128 (x in eight registers) as one vector, lane r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sums128(ref float r, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3,
        Vector512<float> x4, Vector512<float> x5, Vector512<float> x6, Vector512<float> x7)
    {
        const int k = 128;
        Vector512<float> q0 = Fold4(Row8(ref r, x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, k), x0, x1, x2, x3, x4, x5, x6, x7),
            Row8(ref Unsafe.Add(ref r, 2 * k), x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, 3 * k), x0, x1, x2, x3, x4, x5, x6, x7));
        r = ref Unsafe.Add(ref r, 4 * k);
        Vector512<float> q1 = Fold4(Row8(ref r, x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, k), x0, x1, x2, x3, x4, x5, x6, x7),
            Row8(ref Unsafe.Add(ref r, 2 * k), x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, 3 * k), x0, x1, x2, x3, x4, x5, x6, x7));
        r = ref Unsafe.Add(ref r, 4 * k);
        Vector512<float> q2 = Fold4(Row8(ref r, x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, k), x0, x1, x2, x3, x4, x5, x6, x7),
            Row8(ref Unsafe.Add(ref r, 2 * k), x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, 3 * k), x0, x1, x2, x3, x4, x5, x6, x7));
        r = ref Unsafe.Add(ref r, 4 * k);
        Vector512<float> q3 = Fold4(Row8(ref r, x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, k), x0, x1, x2, x3, x4, x5, x6, x7),
            Row8(ref Unsafe.Add(ref r, 2 * k), x0, x1, x2, x3, x4, x5, x6, x7), Row8(ref Unsafe.Add(ref r, 3 * k), x0, x1, x2, x3, x4, x5, x6, x7));
        return Fold16(q0, q1, q2, q3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row8(ref float r, Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3,
        Vector512<float> x4, Vector512<float> x5, Vector512<float> x6, Vector512<float> x7)
    {
        Vector512<float> s = Vector512.LoadUnsafe(ref r) * x0, t = Vector512.LoadUnsafe(ref r, 16) * x1;
        s = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 32), x2, s);
        t = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 48), x3, t);
        s = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 64), x4, s);
        t = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 80), x5, t);
        s = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 96), x6, s);
        t = Avx512F.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, 112), x7, t);
        return s + t;
    }

    // The reduction of 16 rows' partial-sum vectors into one vector of their totals: two cross-block levels (one
    // 128-bit block shuffle and blends each) inside a quad of rows, then two in-block levels (vshufps) across quads.
    // Lane order of the result: the quads are fed rows {0, 8, 4, 12}, {1, 9, 5, 13}, {2, 10, 6, 14}, {3, 11, 7, 15},
    // which puts row r's total in lane r.

    /// <summary>Four rows' partial sums → blocks of four partials of s0, s2, s1, s3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quad(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        Vector512<float> upper = Vector512.Create(0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1).AsSingle();
        Vector512<float> odd = Vector512.Create(0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0, -1, -1, -1, -1).AsSingle();
        // Halves: lanes 0–7 partials of the first row, 8–15 of the second.
        Vector512<float> a = Vector512.ConditionalSelect(upper, s1, s0) + Avx512F.Shuffle4x128(s0, s1, 0x4E);
        Vector512<float> b = Vector512.ConditionalSelect(upper, s3, s2) + Avx512F.Shuffle4x128(s2, s3, 0x4E);
        Vector512<float> t = Vector512.ConditionalSelect(odd, a, b);
        return Vector512.ConditionalSelect(odd, b, a) + Avx512F.Shuffle4x128(t, t, 0xB1);
    }

    /// <summary>Four <see cref="Quad"/> results → one vector of the 16 totals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Final(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3)
    {
        Vector512<float> a = Avx512F.Shuffle(q0, q1, 0x44) + Avx512F.Shuffle(q0, q1, 0xEE);
        Vector512<float> b = Avx512F.Shuffle(q2, q3, 0x44) + Avx512F.Shuffle(q2, q3, 0xEE);
        return Avx512F.Shuffle(a, b, 0x88) + Avx512F.Shuffle(a, b, 0xDD);
    }

    // For k = 128: the permute-tree folds (rows in order, as W streams from L2; the Quad/Final order measured no faster
    // there), their index vectors as constants (Vector512.Create of literals is a constant load;
    // static readonly vector fields cost a static-base lookup each time in these kernels).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold4(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
    {
        Vector512<int> lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
        Vector512<int> hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
        Vector512<int> lo4 = Vector512.Create(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
        Vector512<int> hi4 = Vector512.Create(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
        Vector512<float> a = Avx512F.PermuteVar16x32x2(s0, lo8, s1) + Avx512F.PermuteVar16x32x2(s0, hi8, s1);
        Vector512<float> b = Avx512F.PermuteVar16x32x2(s2, lo8, s3) + Avx512F.PermuteVar16x32x2(s2, hi8, s3);
        return Avx512F.PermuteVar16x32x2(a, lo4, b) + Avx512F.PermuteVar16x32x2(a, hi4, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold16(Vector512<float> q0, Vector512<float> q1, Vector512<float> q2, Vector512<float> q3)
    {
        Vector512<int> lo2 = Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
        Vector512<int> hi2 = Vector512.Create(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
        Vector512<int> lo1 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        Vector512<int> hi1 = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        Vector512<float> a = Avx512F.PermuteVar16x32x2(q0, lo2, q1) + Avx512F.PermuteVar16x32x2(q0, hi2, q1);
        Vector512<float> b = Avx512F.PermuteVar16x32x2(q2, lo2, q3) + Avx512F.PermuteVar16x32x2(q2, hi2, q3);
        return Avx512F.PermuteVar16x32x2(a, lo1, b) + Avx512F.PermuteVar16x32x2(a, hi1, b);
    }
}
