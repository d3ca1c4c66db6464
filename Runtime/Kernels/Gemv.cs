using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// Batch-1 matrix–vector product y[n] = W[n × k]·x[k] (or y += W·x) with W row-major, as stored by a dense layer
/// (out × in) or a recurrent cell (gates × hidden). At batch 1 every weight is used once, so the time is the time
/// to stream W from cache; the kernel is shaped for that:
/// <list type="bullet">
/// <item>rows are read one after another, front to back (one sequential stream for the hardware prefetcher),
/// each with eight independent accumulators so enough loads are in flight;</item>
/// <item>the partial-sum vectors of 16 (AVX-512) or 8 (AVX) consecutive rows are reduced together by a transposing
/// tree of permutes and adds, one vector of finished outputs at a time, instead of one horizontal sum per row;</item>
/// <item>with AVX-512, when every row starts at the same offset within a cache line (k a multiple of 16), the loads
/// of W are aligned: x is copied once into an aligned scratch at W's offset with zero padding, every row is read as
/// whole aligned 64-byte lines and the lanes before the row's first and after its last element are masked to zero.
/// A misaligned 64-byte load touches two cache lines and costs two load slots: without this, a weight array at a
/// 16-byte offset runs ~25% slower.</item>
/// </list>
/// The masked lanes are read from the cache line that holds a real element of W, so they never leave mapped memory;
/// they are zeroed by a bitwise AND before use, so whatever they hold (even NaN) does not reach the result.
/// </summary>
internal static unsafe class Gemv
{
    /// <summary>y[0..n) = W·x, or y += W·x when <paramref name="accumulate"/> is set. 512: AVX-512 path; 256: AVX2 path.</summary>
    public static void Multiply(ref float x, ref float w, ref float y, int n, int k, bool accumulate, int width)
    {
        if (n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate) for (int j = 0; j < n; j++) Unsafe.Add(ref y, j) = 0f;
            return;
        }
        fixed (float* px = &x, pw = &w, py = &y)
        {
            if (width == 512) Rows512(px, pw, py, n, k, accumulate);
            else Rows256(px, pw, py, n, k, accumulate);
        }
    }

    /// <summary>Whether <see cref="Multiply"/> supports <paramref name="width"/> on this machine.</summary>
    public static bool Supports(int width) => width switch
    {
        512 => Avx512F.IsSupported,
        256 => Avx.IsSupported && Fma.IsSupported,
        _ => false,
    };

    [ThreadStatic] private static float[]? t_x;

    /// <summary>A per-thread pinned scratch of at least <paramref name="length"/> floats, 64-byte aligned.</summary>
    private static float* AlignedScratch(int length)
    {
        float[]? buffer = t_x;
        if (buffer is null || buffer.Length < length + 16)
        {
            buffer = GC.AllocateUninitializedArray<float>(Math.Max(length + 16, 1024), pinned: true);
            t_x = buffer;
        }
        float* p = (float*)Unsafe.AsPointer(ref buffer[0]); // pinned object heap: never moves
        return (float*)(((nuint)p + 63) & ~(nuint)63);
    }

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

    /// <summary>Four <see cref="Fold4"/> results (rows 0–3, 4–7, 8–11, 12–15) → one vector whose lane r is row r's total.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fold16(Vector512<float>* w)
        => Fold(Fold(w[0], w[1], Lo2, Hi2), Fold(w[2], w[3], Lo2, Hi2), Lo1, Hi1);

    /// <summary>
    /// Σ over vectors v in [first, end) of W[v]·X[v] with eight independent accumulators (both pointers advance
    /// together, 16 floats a vector), the first accumulator starting at <paramref name="s0"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Dot512(float* b, float* x, int vectors, Vector512<float> s0)
    {
        Vector512<float> s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
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

    /// <summary>One row read as whole aligned lines from <paramref name="a"/> (= row − off): first and last line masked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RowAligned(float* a, float* xs, int vectors, Vector512<float> head, Vector512<float> tail)
    {
        Vector512<float> acc = (Vector512.LoadAligned(a) & head) * Vector512.LoadAligned(xs);
        if (vectors > 1)
        {
            acc = Dot512(a + 16, xs + 16, vectors - 2, acc);
            int l = 16 * (vectors - 1);
            acc = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(a + l) & tail, Vector512.LoadAligned(xs + l), acc);
        }
        return acc;
    }

    /// <summary>
    /// Eight rows side by side (rows at <paramref name="a"/> + r·k), whole aligned lines, one load of x per eight
    /// of W: for short rows, where one row alone is too short to keep enough loads in flight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightAligned(float* a, float* xs, int k, int vectors, Vector512<float> head, Vector512<float> tail, Vector512<float>* quads)
    {
        Vector512<float> xv = Vector512.LoadAligned(xs);
        Vector512<float> s0 = (Vector512.LoadAligned(a) & head) * xv, s1 = (Vector512.LoadAligned(a + k) & head) * xv;
        Vector512<float> s2 = (Vector512.LoadAligned(a + 2 * k) & head) * xv, s3 = (Vector512.LoadAligned(a + 3 * k) & head) * xv;
        Vector512<float> s4 = (Vector512.LoadAligned(a + 4 * k) & head) * xv, s5 = (Vector512.LoadAligned(a + 5 * k) & head) * xv;
        Vector512<float> s6 = (Vector512.LoadAligned(a + 6 * k) & head) * xv, s7 = (Vector512.LoadAligned(a + 7 * k) & head) * xv;
        int end = 16 * (vectors - 1);
        for (int p = 16; p < end; p += 16)
        {
            xv = Vector512.LoadAligned(xs + p);
            float* b = a + p;
            s0 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b), xv, s0);
            s1 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + k), xv, s1);
            s2 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 2 * k), xv, s2);
            s3 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 3 * k), xv, s3);
            s4 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 4 * k), xv, s4);
            s5 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 5 * k), xv, s5);
            s6 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 6 * k), xv, s6);
            s7 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 7 * k), xv, s7);
        }
        if (vectors > 1)
        {
            xv = Vector512.LoadAligned(xs + end);
            float* b = a + end;
            s0 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b) & tail, xv, s0);
            s1 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + k) & tail, xv, s1);
            s2 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 2 * k) & tail, xv, s2);
            s3 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 3 * k) & tail, xv, s3);
            s4 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 4 * k) & tail, xv, s4);
            s5 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 5 * k) & tail, xv, s5);
            s6 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 6 * k) & tail, xv, s6);
            s7 = Avx512F.FusedMultiplyAdd(Vector512.LoadAligned(b + 7 * k) & tail, xv, s7);
        }
        quads[0] = Fold4(s0, s1, s2, s3);
        quads[1] = Fold4(s4, s5, s6, s7);
    }

    /// <summary>Sixteen consecutive rows, one after another (<see cref="RowAligned"/>), folded into one vector of their totals.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> SixteenAligned(float* a, float* xs, int k, int vectors, Vector512<float> head, Vector512<float> tail)
    {
        Vector512<float> s0 = RowAligned(a, xs, vectors, head, tail), s1 = RowAligned(a + k, xs, vectors, head, tail);
        Vector512<float> s2 = RowAligned(a + 2 * k, xs, vectors, head, tail), s3 = RowAligned(a + 3 * k, xs, vectors, head, tail);
        Vector512<float> s4 = RowAligned(a + 4 * k, xs, vectors, head, tail), s5 = RowAligned(a + 5 * k, xs, vectors, head, tail);
        Vector512<float> s6 = RowAligned(a + 6 * k, xs, vectors, head, tail), s7 = RowAligned(a + 7 * k, xs, vectors, head, tail);
        Vector512<float> s8 = RowAligned(a + 8 * k, xs, vectors, head, tail), s9 = RowAligned(a + 9 * k, xs, vectors, head, tail);
        Vector512<float> s10 = RowAligned(a + 10 * k, xs, vectors, head, tail), s11 = RowAligned(a + 11 * k, xs, vectors, head, tail);
        Vector512<float> s12 = RowAligned(a + 12 * k, xs, vectors, head, tail), s13 = RowAligned(a + 13 * k, xs, vectors, head, tail);
        Vector512<float> s14 = RowAligned(a + 14 * k, xs, vectors, head, tail), s15 = RowAligned(a + 15 * k, xs, vectors, head, tail);
        Vector512<float> q0 = Fold4(s0, s1, s2, s3), q1 = Fold4(s4, s5, s6, s7), q2 = Fold4(s8, s9, s10, s11), q3 = Fold4(s12, s13, s14, s15);
        return Fold(Fold(q0, q1, Lo2, Hi2), Fold(q2, q3, Lo2, Hi2), Lo1, Hi1);
    }

    /// <summary>One row at any alignment: whole vectors, then the k mod 16 leftovers summed into lane 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> RowPlain(float* b, float* x, int vectors, int full, int k)
    {
        Vector512<float> acc = Dot512(b, x, vectors, default);
        if (full < k)
        {
            float t = 0f;
            for (int p = full; p < k; p++) t += b[p] * x[p];
            acc += Vector512.CreateScalar(t);
        }
        return acc;
    }

    /// <summary>Sixteen consecutive rows at any alignment, one after another (<see cref="RowPlain"/>), folded into one vector of their totals.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> SixteenPlain(float* b, float* x, int k, int vectors, int full)
    {
        Vector512<float> s0 = RowPlain(b, x, vectors, full, k), s1 = RowPlain(b + k, x, vectors, full, k);
        Vector512<float> s2 = RowPlain(b + 2 * k, x, vectors, full, k), s3 = RowPlain(b + 3 * k, x, vectors, full, k);
        Vector512<float> s4 = RowPlain(b + 4 * k, x, vectors, full, k), s5 = RowPlain(b + 5 * k, x, vectors, full, k);
        Vector512<float> s6 = RowPlain(b + 6 * k, x, vectors, full, k), s7 = RowPlain(b + 7 * k, x, vectors, full, k);
        Vector512<float> s8 = RowPlain(b + 8 * k, x, vectors, full, k), s9 = RowPlain(b + 9 * k, x, vectors, full, k);
        Vector512<float> s10 = RowPlain(b + 10 * k, x, vectors, full, k), s11 = RowPlain(b + 11 * k, x, vectors, full, k);
        Vector512<float> s12 = RowPlain(b + 12 * k, x, vectors, full, k), s13 = RowPlain(b + 13 * k, x, vectors, full, k);
        Vector512<float> s14 = RowPlain(b + 14 * k, x, vectors, full, k), s15 = RowPlain(b + 15 * k, x, vectors, full, k);
        Vector512<float> q0 = Fold4(s0, s1, s2, s3), q1 = Fold4(s4, s5, s6, s7), q2 = Fold4(s8, s9, s10, s11), q3 = Fold4(s12, s13, s14, s15);
        return Fold(Fold(q0, q1, Lo2, Hi2), Fold(q2, q3, Lo2, Hi2), Lo1, Hi1);
    }

    /// <summary>Rows shorter than this (floats) are read eight side by side, longer ones one after another (measured on Zen 5).</summary>
    internal const int ShortRow = 512;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ShortBlocks(float* a, float* xs, float* y, int n, int k, int vectors, Vector512<float> head, Vector512<float> tail, bool accumulate)
    {
        Vector512<float>* quads = stackalloc Vector512<float>[4];
        int j = 0;
        for (; j + 16 <= n; j += 16, a += 16 * k)
        {
            EightAligned(a, xs, k, vectors, head, tail, quads);
            EightAligned(a + 8 * k, xs, k, vectors, head, tail, quads + 2);
            Put(Fold16(quads), y + j, accumulate);
        }
        return j;
    }

    private static void Rows512(float* x, float* w, float* y, int n, int k, bool accumulate)
    {
        int j = 0;
        if ((k & 15) == 0)
        {
            // Every row starts `off` floats past a 64-byte boundary: read each as whole aligned lines
            // [row − off, row − off + 16·vectors), x copied to the same place in a zero-padded aligned scratch.
            int off = (int)(((nuint)w >> 2) & 15);
            int vectors = (off + k + 15) >> 4;
            float* xs = AlignedScratch(vectors * 16);
            new Span<float>(xs, vectors * 16).Clear();
            new ReadOnlySpan<float>(x, k).CopyTo(new Span<float>(xs + off, k));
            Vector512<int> lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            int last = off + k - 16 * (vectors - 1); // lanes [0, last) of the last line belong to the row
            Vector512<float> head = Vector512.GreaterThanOrEqual(lane, Vector512.Create(off)).AsSingle();
            Vector512<float> tail = Vector512.LessThan(lane, Vector512.Create(last)).AsSingle();
            if (vectors == 1) head &= tail;
            float* a = w - off;
            if (k < ShortRow)
            {
                j = ShortBlocks(a, xs, y, n, k, vectors, head, tail, accumulate);
                a += (nint)j * k;
            }
            for (; j + 16 <= n; j += 16, a += 16 * k)
                Put(SixteenAligned(a, xs, k, vectors, head, tail), y + j, accumulate);
            for (; j < n; j++, a += k)
                Put(Vector512.Sum(RowAligned(a, xs, vectors, head, tail)), y + j, accumulate);
        }
        else
        {
            int vectors = k >> 4, full = vectors << 4;
            float* b = w;
            for (; j + 16 <= n; j += 16, b += 16 * k)
                Put(SixteenPlain(b, x, k, vectors, full), y + j, accumulate);
            for (; j < n; j++, b += k)
                Put(Vector512.Sum(RowPlain(b, x, vectors, full, k)), y + j, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> sums, float* y, bool accumulate)
    {
        if (accumulate) sums += Vector512.Load(y);
        sums.Store(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float sum, float* y, bool accumulate) => *y = accumulate ? *y + sum : sum;

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

    private static void Rows256(float* x, float* w, float* y, int n, int k, bool accumulate)
    {
        Vector256<float>* s = stackalloc Vector256<float>[8];
        float* tails = stackalloc float[8];
        int vectors = k >> 3, full = vectors << 3;
        for (int j = 0; j < n; j += 8)
        {
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
            float* yj = y + j;
            if (rows == 8)
            {
                if (accumulate) sums += Vector256.Load(yj);
                sums.Store(yj);
            }
            else
            {
                for (int r = 0; r < rows; r++) yj[r] = accumulate ? yj[r] + sums.GetElement(r) : sums.GetElement(r);
            }
        }
    }
}
