using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Batch-1 matrix–vector product y[n] = W[n × k]·x[k] (or y += W·x) with W row-major, as stored by a dense layer
/// (out × in) or a recurrent cell (gates × hidden). At batch 1 every weight is used once, so the time is the time
/// to stream W from cache; the kernel is shaped for that:
/// <list type="bullet">
/// <item>long rows are read two at a time, one from each half of the matrix: two sequential streams, which the L2
/// prefetchers serve ~10–15% faster than one (measured on Zen 5); short rows (fewer than <see cref="ShortRow"/>
/// floats) eight side by side, so enough loads are in flight;</item>
/// <item>the partial-sum vectors of 16 (AVX-512) or 8 (AVX) rows are reduced together by a transposing tree of
/// permutes and adds, one vector of finished outputs at a time, instead of one horizontal sum per row.</item>
/// </list>
/// Every element's lane and accumulator depend only on its index, never on the address: the result is bit-for-bit
/// the same wherever W and x lie (a model's parameters are 64-byte aligned, <see cref="AlignedBuffer"/>, which is
/// what makes the loads fast; a misaligned W is read at the same precision, ~20–25% slower).
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>
    /// y[0..n) = W·x, or y += W·x when <paramref name="accumulate"/> is set. 512: AVX-512 path; 256: AVX2 path.
    /// <paramref name="descending"/> reads the blocks of rows last to first (see <see cref="Rows512"/>); the result
    /// is the same bits either way.
    /// </summary>
    public static void Multiply(ref float x, ref float w, ref float y, int n, int k, bool accumulate, int width, bool descending = false)
    {
        fixed (float* px = &x, pw = &w, py = &y)
            Run(px, pw, py, n, k, new Epilogue(null, accumulate, relu: false), width, descending);
    }

    /// <summary>
    /// y[0..n) = W·x + bias, rectified (max(0, ·)) when <paramref name="relu"/> is set: a dense layer at batch 1, the
    /// bias and activation applied to each vector of outputs before it is stored. Bit-for-bit the same as
    /// <see cref="Multiply"/> followed by adding the bias and the ReLU.
    /// </summary>
    public static void MultiplyBias(ref float x, ref float w, ref float bias, ref float y, int n, int k, bool relu, int width, bool descending = false)
    {
        fixed (float* px = &x, pw = &w, pb = &bias, py = &y)
            Run(px, pw, py, n, k, new Epilogue(pb, accumulate: false, relu), width, descending);
    }

    private static void Run(float* x, float* w, float* y, int n, int k, Epilogue e, int width, bool descending)
    {
        if (n <= 0) return;
        if (k <= 0)
        {
            for (int j = 0; j < n; j++) Put(0f, y, j, e);
            return;
        }
        if (width == 512) Rows512(x, w, y, n, k, e, descending);
        else Rows256(x, w, y, n, k, e, descending);
    }

    /// <summary>What happens to each finished output: y ← (accumulate ? y : 0) + sum (+ bias), then max(0, ·) if relu.</summary>
    private readonly struct Epilogue(float* bias, bool accumulate, bool relu)
    {
        public readonly float* Bias = bias;
        public readonly bool Accumulate = accumulate;
        public readonly bool Relu = relu;
    }

    /// <summary>Whether <see cref="Multiply"/> supports <paramref name="width"/> on this machine.</summary>
    public static bool Supports(int width) => width switch
    {
        512 => Avx512F.IsSupported,
        256 => Avx.IsSupported && Fma.IsSupported,
        _ => false,
    };

    // ---------------------------------------------------------------- AVX-512

    private static readonly Vector512<int> Lo8 = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    private static readonly Vector512<int> Hi8 = Vector512.Create(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    private static readonly Vector512<int> Lo4 = Vector512.Create(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    private static readonly Vector512<int> Hi4 = Vector512.Create(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    private static readonly Vector512<int> Lo2 = Vector512.Create(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    private static readonly Vector512<int> Hi2 = Vector512.Create(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    private static readonly Vector512<int> Lo1 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Hi1 = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold(Vector512<float> a, Vector512<float> b, Vector512<int> lo, Vector512<int> hi)
        => Avx512F.PermuteVar16x32x2(a, lo, b) + Avx512F.PermuteVar16x32x2(a, hi, b);

    /// <summary>4 vectors of partial sums → lanes 4r..4r+3 hold partials of <c>s_r</c> (the first two levels of the tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold4(Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
        => Fold(Fold(s0, s1, Lo8, Hi8), Fold(s2, s3, Lo8, Hi8), Lo4, Hi4);

    /// <summary>Sixteen rows' partial-sum vectors → one vector whose lane r is row r's total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold16(Vector512<float>* s)
    {
        Vector512<float> q0 = Fold4(s[0], s[1], s[2], s[3]), q1 = Fold4(s[4], s[5], s[6], s[7]);
        Vector512<float> q2 = Fold4(s[8], s[9], s[10], s[11]), q3 = Fold4(s[12], s[13], s[14], s[15]);
        return Fold(Fold(q0, q1, Lo2, Hi2), Fold(q2, q3, Lo2, Hi2), Lo1, Hi1);
    }

    /// <summary>
    /// Σ over vectors v in [0, vectors) of W[v]·X[v] with eight independent accumulators (both pointers advance
    /// together, 16 floats a vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Dot512(float* b, float* x, int vectors)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int v = 0;
        for (; v + 8 <= vectors; v += 8, b += 128, x += 128)
        {
            s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(b), Vector512.Load(x), s0);
            s1 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 16), Vector512.Load(x + 16), s1);
            s2 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 32), Vector512.Load(x + 32), s2);
            s3 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 48), Vector512.Load(x + 48), s3);
            s4 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 64), Vector512.Load(x + 64), s4);
            s5 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 80), Vector512.Load(x + 80), s5);
            s6 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 96), Vector512.Load(x + 96), s6);
            s7 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 112), Vector512.Load(x + 112), s7);
        }
        for (; v + 2 <= vectors; v += 2, b += 32, x += 32)
        {
            s4 = Avx512F.FusedMultiplyAdd(Vector512.Load(b), Vector512.Load(x), s4);
            s5 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 16), Vector512.Load(x + 16), s5);
        }
        if (v < vectors)
            s6 = Avx512F.FusedMultiplyAdd(Vector512.Load(b), Vector512.Load(x), s6);
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /// <summary>
    /// Rows <paramref name="a"/> and <paramref name="b"/> of whole vectors read side by side, four accumulators each
    /// and one load of x for both; their partial-sum vectors go to *<paramref name="sa"/> and *<paramref name="sb"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pair(float* a, float* b, float* x, int vectors, Vector512<float>* sa, Vector512<float>* sb)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int p = 0, end = 16 * vectors;
        for (; p + 64 <= end; p += 64)
        {
            Vector512<float> x0 = Vector512.Load(x + p), x1 = Vector512.Load(x + p + 16);
            Vector512<float> x2 = Vector512.Load(x + p + 32), x3 = Vector512.Load(x + p + 48);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p), x0, a0);
            b0 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + p), x0, b0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p + 16), x1, a1);
            b1 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + p + 16), x1, b1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p + 32), x2, a2);
            b2 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + p + 32), x2, b2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p + 48), x3, a3);
            b3 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + p + 48), x3, b3);
        }
        for (; p < end; p += 16)
        {
            Vector512<float> xv = Vector512.Load(x + p);
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(a + p), xv, a0);
            b0 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + p), xv, b0);
        }
        *sa = (a0 + a1) + (a2 + a3);
        *sb = (b0 + b1) + (b2 + b3);
    }

    /// <summary>
    /// Eight rows after <paramref name="a"/> and eight after <paramref name="b"/> (rows k floats apart), row r of each
    /// read side by side (<see cref="Pair"/>). Lane r of the result is a's row r, lane 8 + r b's row r.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining), SkipLocalsInit] // every partial sum is written before it is read
    private static Vector512<float> EightPairs(float* a, float* b, float* x, int k, int vectors)
    {
        Vector512<float>* s = stackalloc Vector512<float>[16];
        for (int r = 0; r < 8; r++, a += k, b += k)
            Pair(a, b, x, vectors, s + r, s + 8 + r);
        return Fold16(s);
    }

    /// <summary>
    /// Sixteen short rows of whole vectors (rows k floats apart), eight side by side at a time with one load of x per
    /// eight of W. Lane r of the result is row r's total.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining), SkipLocalsInit] // every partial sum is written before it is read
    private static Vector512<float> SixteenSideBySide(float* a, float* x, int k, int vectors)
    {
        Vector512<float>* s = stackalloc Vector512<float>[16];
        for (int half = 0; half < 16; half += 8, a += 8 * k)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (int p = 0, end = 16 * vectors; p < end; p += 16)
            {
                Vector512<float> xv = Vector512.Load(x + p);
                float* b = a + p;
                s0 = Avx512F.FusedMultiplyAdd(Vector512.Load(b), xv, s0);
                s1 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + k), xv, s1);
                s2 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 2 * k), xv, s2);
                s3 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 3 * k), xv, s3);
                s4 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 4 * k), xv, s4);
                s5 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 5 * k), xv, s5);
                s6 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 6 * k), xv, s6);
                s7 = Avx512F.FusedMultiplyAdd(Vector512.Load(b + 7 * k), xv, s7);
            }
            s[half] = s0; s[half + 1] = s1; s[half + 2] = s2; s[half + 3] = s3;
            s[half + 4] = s4; s[half + 5] = s5; s[half + 6] = s6; s[half + 7] = s7;
        }
        return Fold16(s);
    }

    /// <summary>One row at any length: whole vectors, then the k mod 16 leftovers summed into lane 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(float* b, float* x, int vectors, int full, int k)
    {
        Vector512<float> acc = Dot512(b, x, vectors);
        if (full < k)
        {
            float t = 0f;
            for (int p = full; p < k; p++) t += b[p] * x[p];
            acc += Vector512.CreateScalar(t);
        }
        return acc;
    }

    /// <summary>Sixteen consecutive rows one after another (<see cref="Row"/>), folded into one vector of their totals.</summary>
    [MethodImpl(MethodImplOptions.NoInlining), SkipLocalsInit] // every partial sum is written before it is read
    private static Vector512<float> Sixteen(float* b, float* x, int k, int vectors, int full)
    {
        Vector512<float>* s = stackalloc Vector512<float>[16];
        for (int r = 0; r < 16; r++, b += k)
            s[r] = Row(b, x, vectors, full, k);
        return Fold16(s);
    }

    /// <summary>Rows shorter than this (floats) are read eight side by side, longer ones two streams at a time (measured on Zen 5).</summary>
    internal const int ShortRow = 512;

    /// <summary>
    /// The AVX-512 rows, in blocks of 16. Descending order exists for callers that alternate the direction from one
    /// call to the next: the blocks read last by one call are the first the next call needs, so they are still in
    /// L2 even where a matrix approaching L2's size overflows some of its sets, which a repeated ascending sweep turns
    /// into a miss on every line of those sets (measured on Zen 5, 64 × 2592: 3.8–4.9 µs by allocation ascending
    /// every time, 3.8–4.1 µs alternating). Below about half of L2 the turn costs more than it saves (128 × 784:
    /// ~6% slower alternating), so generated models alternate only their large dense layers.
    /// </summary>
    private static void Rows512(float* x, float* w, float* y, int n, int k, Epilogue e, bool descending)
    {
        int vectors = k >> 4, full = vectors << 4, blocks = n >> 4;
        // 16 rows at a time (long rows: 8 from each half of the first 16·blocks rows, side by side), blocks in
        // ascending or descending order; the n mod 16 rest one by one after them.
        for (int step = 0; step < blocks; step++)
        {
            int b = descending ? blocks - 1 - step : step;
            if (full == k && k < ShortRow)
            {
                Put(SixteenSideBySide(w + (nint)(16 * b) * k, x, k, vectors), y, 16 * b, e);
            }
            else if (full == k)
            {
                int j = 8 * b, half = 8 * blocks;
                Vector512<float> sums = EightPairs(w + (nint)j * k, w + (nint)(j + half) * k, x, k, vectors);
                Put(sums.GetLower(), y, j, e);
                Put(sums.GetUpper(), y, j + half, e);
            }
            else
            {
                Put(Sixteen(w + (nint)(16 * b) * k, x, k, vectors, full), y, 16 * b, e);
            }
        }
        for (int j = 16 * blocks; j < n; j++)
            Put(Vector512.Sum(Row(w + (nint)j * k, x, vectors, full, k)), y, j, e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> sums, float* y, int j, in Epilogue e)
    {
        if (e.Accumulate) sums += Vector512.Load(y + j);
        if (e.Bias != null) sums += Vector512.Load(e.Bias + j);
        if (e.Relu) sums = Vector512.Max(sums, Vector512<float>.Zero);
        sums.Store(y + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> sums, float* y, int j, in Epilogue e)
    {
        if (e.Accumulate) sums += Vector256.Load(y + j);
        if (e.Bias != null) sums += Vector256.Load(e.Bias + j);
        if (e.Relu) sums = Vector256.Max(sums, Vector256<float>.Zero);
        sums.Store(y + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float sum, float* y, int j, in Epilogue e)
    {
        if (e.Accumulate) sum += y[j];
        if (e.Bias != null) sum += e.Bias[j];
        if (e.Relu) sum = float.Max(sum, 0f);
        y[j] = sum;
    }

    // ---------------------------------------------------------------- AVX2

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Dot256(float* b, float* x, int vectors)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int v = 0;
        for (; v + 8 <= vectors; v += 8, b += 64, x += 64)
        {
            s0 = Fma.MultiplyAdd(Vector256.Load(b), Vector256.Load(x), s0);
            s1 = Fma.MultiplyAdd(Vector256.Load(b + 8), Vector256.Load(x + 8), s1);
            s2 = Fma.MultiplyAdd(Vector256.Load(b + 16), Vector256.Load(x + 16), s2);
            s3 = Fma.MultiplyAdd(Vector256.Load(b + 24), Vector256.Load(x + 24), s3);
            s4 = Fma.MultiplyAdd(Vector256.Load(b + 32), Vector256.Load(x + 32), s4);
            s5 = Fma.MultiplyAdd(Vector256.Load(b + 40), Vector256.Load(x + 40), s5);
            s6 = Fma.MultiplyAdd(Vector256.Load(b + 48), Vector256.Load(x + 48), s6);
            s7 = Fma.MultiplyAdd(Vector256.Load(b + 56), Vector256.Load(x + 56), s7);
        }
        if (v + 4 <= vectors)
        {
            s0 = Fma.MultiplyAdd(Vector256.Load(b), Vector256.Load(x), s0);
            s1 = Fma.MultiplyAdd(Vector256.Load(b + 8), Vector256.Load(x + 8), s1);
            s2 = Fma.MultiplyAdd(Vector256.Load(b + 16), Vector256.Load(x + 16), s2);
            s3 = Fma.MultiplyAdd(Vector256.Load(b + 24), Vector256.Load(x + 24), s3);
            v += 4; b += 32; x += 32;
        }
        if (v + 2 <= vectors)
        {
            s4 = Fma.MultiplyAdd(Vector256.Load(b), Vector256.Load(x), s4);
            s5 = Fma.MultiplyAdd(Vector256.Load(b + 8), Vector256.Load(x + 8), s5);
            v += 2; b += 16; x += 16;
        }
        if (v < vectors)
            s6 = Fma.MultiplyAdd(Vector256.Load(b), Vector256.Load(x), s6);
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static void Rows256(float* x, float* w, float* y, int n, int k, Epilogue e, bool descending)
    {
        Vector256<float>* s = stackalloc Vector256<float>[8];
        float* tails = stackalloc float[8];
        int vectors = k >> 3, full = vectors << 3, groups = (n + 7) >> 3;
        for (int step = 0; step < groups; step++)
        {
            int j = 8 * (descending ? groups - 1 - step : step);
            int rows = Math.Min(8, n - j);
            float* b = w + (nint)j * k;
            for (int r = 0; r < rows; r++, b += k)
            {
                s[r] = Dot256(b, x, vectors);
                float t = 0f;
                for (int p = full; p < k; p++) t += b[p] * x[p];
                tails[r] = t;
            }
            for (int r = rows; r < 8; r++) { s[r] = default; tails[r] = 0f; }
            // hadd tree: lanes of t0123 are rows 0–3 (low half: partials 0–3, high half: 4–7), likewise t4567.
            Vector256<float> t0123 = Avx.HorizontalAdd(Avx.HorizontalAdd(s[0], s[1]), Avx.HorizontalAdd(s[2], s[3]));
            Vector256<float> t4567 = Avx.HorizontalAdd(Avx.HorizontalAdd(s[4], s[5]), Avx.HorizontalAdd(s[6], s[7]));
            Vector256<float> sums = Avx.Permute2x128(t0123, t4567, 0x20) + Avx.Permute2x128(t0123, t4567, 0x31) + Vector256.Load(tails);
            if (rows == 8)
            {
                Put(sums, y, j, e);
            }
            else
            {
                for (int r = 0; r < rows; r++) Put(sums.GetElement(r), y, j + r, e);
            }
        }
    }
}
