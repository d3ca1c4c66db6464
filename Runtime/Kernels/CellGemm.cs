using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// The recurrent layers' matrix products, c[m × n] += op(a)·b with b [k × n] row-major and A[i, p] read at
/// a[i·rowStride + p·depthStride] (A or Aᵀ): the per-step products h·W_hhᵀ (on a packed transposed copy of W_hh) and
/// dA·W_hh, and the weight gradient Σ dAᵀ·h over all steps. A 6-row × 4-vector register tile (24 accumulators,
/// AVX-512; 6 × 2 on narrower vectors) keeps the FMA units busy with 10 loads per 24 FMAs, and the depth is
/// blocked so the b panel stays in L1.
/// </summary>
internal static class CellGemm
{
    private const int DepthBlock = 128;

    /// <summary>Columns per panel of a packed B (<see cref="PackTransposed"/>): one 4-vector AVX-512 tile.</summary>
    public const int PanelWidth = 64;

    /// <summary>c[m × n] += op(a)·b; the spans are only checked to be long enough.</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        if (m == 0 || n == 0 || k == 0) return;
        CheckAC(a, rowStride, depthStride, c, m, n, k);
        KernelChecks.AtLeast(b.Length, KernelChecks.Elements(k, n), nameof(b));
        ref float rc = ref MemoryMarshal.GetReference(c);
        Run(ref MemoryMarshal.GetReference(a), rowStride, depthStride, ref MemoryMarshal.GetReference(b), n, ref rc, n, ref rc, n, m, n, k);
    }

    /// <summary>
    /// Packs b = wᵀ for <see cref="MultiplyAddPacked"/>, from w [n × k]: panel q holds b's columns 64q … 64q + 63 (w's
    /// rows), k rows of min(64, n − 64q) floats each, one after another. A tile's slice of b is then one contiguous
    /// block, which L1 holds whole; read from a row-major b with a row stride of 1 KB (256 gates), the same slice
    /// maps onto a quarter of L1's sets and can be evicted between the row tiles that reuse it.
    /// </summary>
    public static void PackTransposed(ReadOnlySpan<float> w, Span<float> packed, int n, int k)
    {
        KernelChecks.AtLeast(w.Length, KernelChecks.Elements(n, k), nameof(w));
        KernelChecks.AtLeast(packed.Length, KernelChecks.Elements(n, k), nameof(packed));
        for (int j = 0; j < n; j += PanelWidth)
        {
            int width = Math.Min(PanelWidth, n - j);
            CellKernels.Transpose(w.Slice(j * k, width * k), packed.Slice(j * k, width * k), width, k);
        }
    }

    /// <summary>c[m × n] += op(a)·b with b packed by <see cref="PackTransposed"/>; the same bits as <see cref="MultiplyAdd"/>.</summary>
    public static void MultiplyAddPacked(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> packed, Span<float> c, int m, int n, int k)
    {
        if (m == 0 || n == 0 || k == 0) return;
        CheckAC(a, rowStride, depthStride, c, m, n, k);
        KernelChecks.AtLeast(packed.Length, KernelChecks.Elements(k, n), nameof(packed));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(packed);
        ref float rc = ref MemoryMarshal.GetReference(c);
        for (int j = 0; j < n; j += PanelWidth)
        {
            int width = Math.Min(PanelWidth, n - j);
            Run(ref ra, rowStride, depthStride, ref Unsafe.Add(ref rb, j * k), width, ref Unsafe.Add(ref rc, j), n, ref Unsafe.Add(ref rc, j), n, m, width, k);
        }
    }

    /// <summary>
    /// c[m × n] = bias + op(a)·b (bias [n] added to every row) with b packed by <see cref="PackTransposed"/>: the same
    /// bits as filling c's rows with the bias and then <see cref="MultiplyAddPacked"/>, without writing c twice (a
    /// recurrent layer's input projection is often larger than L2).
    /// </summary>
    public static void MultiplyPackedBias(ReadOnlySpan<float> a, int rowStride, int depthStride, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias,
        Span<float> c, int m, int n, int k)
    {
        if (m == 0 || n == 0) return;
        KernelChecks.AtLeast(bias.Length, n, nameof(bias));
        if (k == 0)
        {
            Recurrence.FillRows(c, bias.Slice(0, n), m);
            return;
        }
        CheckAC(a, rowStride, depthStride, c, m, n, k);
        KernelChecks.AtLeast(packed.Length, KernelChecks.Elements(k, n), nameof(packed));
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(packed);
        ref float rc = ref MemoryMarshal.GetReference(c);
        ref float rs = ref MemoryMarshal.GetReference(bias);
        for (int j = 0; j < n; j += PanelWidth)
        {
            int width = Math.Min(PanelWidth, n - j);
            Run(ref ra, rowStride, depthStride, ref Unsafe.Add(ref rb, j * k), width, ref Unsafe.Add(ref rc, j), n, ref Unsafe.Add(ref rs, j), 0, m, width, k);
        }
    }

    private static void CheckAC(ReadOnlySpan<float> a, int rowStride, int depthStride, Span<float> c, int m, int n, int k)
    {
        KernelChecks.AtLeast(a.Length, (int)Math.Min(int.MaxValue, (long)(m - 1) * rowStride + (long)(k - 1) * depthStride + 1), nameof(a));
        KernelChecks.AtLeast(c.Length, KernelChecks.Elements(m, n), nameof(c));
    }

    /// <summary>
    /// c[m × n] = s + op(a)·b, b's rows <paramref name="ldb"/> floats apart, c's <paramref name="ldc"/> and the addend
    /// s's <paramref name="lds"/>: s is c itself (c += op(a)·b) or a bias row read with stride 0.
    /// </summary>
    private static void Run(ref float a, int rs, int ds, ref float b, int ldb, ref float c, int ldc, ref float s, int lds, int m, int n, int k)
    {
        switch (CellPath.Width)
        {
            case 512: Run<Ops512, System.Runtime.Intrinsics.Vector512<float>>(ref a, rs, ds, ref b, ldb, ref c, ldc, ref s, lds, m, n, k); break;
            case 256: Run<Ops256, System.Runtime.Intrinsics.Vector256<float>>(ref a, rs, ds, ref b, ldb, ref c, ldc, ref s, lds, m, n, k); break;
            default: Run<OpsScalar, float>(ref a, rs, ds, ref b, ldb, ref c, ldc, ref s, lds, m, n, k); break;
        }
    }

    private static void Run<TOps, TV>(ref float a, int rs, int ds, ref float b, int ldb, ref float c, int ldc, ref float s, int lds, int m, int n, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        bool wide = w >= 16; // 4-vector tiles need 24 accumulators: only with 32 vector registers
        int tileCols = wide ? 4 * w : 2 * w;
        for (int p0 = 0; p0 < k; p0 += DepthBlock)
        {
            int kc = Math.Min(DepthBlock, k - p0);
            ref float ap = ref Unsafe.Add(ref a, p0 * ds);
            ref float bp = ref Unsafe.Add(ref b, p0 * ldb);
            // The first depth block adds to s, the later ones to what the first wrote.
            ref float src = ref p0 == 0 ? ref s : ref c;
            int lsrc = p0 == 0 ? lds : ldc;
            int j = 0;
            for (; j + tileCols <= n; j += tileCols)
            {
                int i = 0;
                for (; i + 6 <= m; i += 6)
                {
                    if (wide) TileRx4<TOps, TV, Rows6>(ref Unsafe.Add(ref ap, i * rs), rs, ds, ref Unsafe.Add(ref bp, j), ref Unsafe.Add(ref c, i * ldc + j), ref Unsafe.Add(ref src, i * lsrc + j), ldb, ldc, lsrc, kc);
                    else Tile6x2<TOps, TV>(ref Unsafe.Add(ref ap, i * rs), rs, ds, ref Unsafe.Add(ref bp, j), ref Unsafe.Add(ref c, i * ldc + j), ref Unsafe.Add(ref src, i * lsrc + j), ldb, ldc, lsrc, kc);
                }
                if (wide && i + 4 <= m)
                {
                    TileRx4<TOps, TV, Rows4>(ref Unsafe.Add(ref ap, i * rs), rs, ds, ref Unsafe.Add(ref bp, j), ref Unsafe.Add(ref c, i * ldc + j), ref Unsafe.Add(ref src, i * lsrc + j), ldb, ldc, lsrc, kc);
                    i += 4;
                }
                if (wide && i + 2 <= m)
                {
                    TileRx4<TOps, TV, Rows2>(ref Unsafe.Add(ref ap, i * rs), rs, ds, ref Unsafe.Add(ref bp, j), ref Unsafe.Add(ref c, i * ldc + j), ref Unsafe.Add(ref src, i * lsrc + j), ldb, ldc, lsrc, kc);
                    i += 2;
                }
                for (; i < m; i++)
                {
                    ref float ai = ref Unsafe.Add(ref ap, i * rs);
                    ref float ci = ref Unsafe.Add(ref c, i * ldc + j);
                    ref float si = ref Unsafe.Add(ref src, i * lsrc + j);
                    if (wide)
                    {
                        Tile1x2<TOps, TV>(ref ai, ds, ref Unsafe.Add(ref bp, j), ref ci, ref si, ldb, kc);
                        Tile1x2<TOps, TV>(ref ai, ds, ref Unsafe.Add(ref bp, j + 2 * w), ref Unsafe.Add(ref ci, 2 * w), ref Unsafe.Add(ref si, 2 * w), ldb, kc);
                    }
                    else Tile1x2<TOps, TV>(ref ai, ds, ref Unsafe.Add(ref bp, j), ref ci, ref si, ldb, kc);
                }
            }
            for (; j + w <= n; j += w)
                for (int i = 0; i < m; i++)
                    Tile1x1<TOps, TV>(ref Unsafe.Add(ref ap, i * rs), ds, ref Unsafe.Add(ref bp, j), ref Unsafe.Add(ref c, i * ldc + j), ref Unsafe.Add(ref src, i * lsrc + j), ldb, kc);
            for (; j < n; j++)
                for (int i = 0; i < m; i++)
                {
                    ref float ai = ref Unsafe.Add(ref ap, i * rs);
                    float sum = 0f;
                    for (int p = 0; p < kc; p++) sum += Unsafe.Add(ref ai, p * ds) * Unsafe.Add(ref bp, p * ldb + j);
                    Unsafe.Add(ref c, i * ldc + j) = Unsafe.Add(ref src, i * lsrc + j) + sum;
                }
        }
    }

    /// <summary>destination = value + source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TOps, TV>(TV value, ref float source, ref float destination)
        where TOps : struct, IVectorOps<TV> where TV : struct
        => TOps.Store(TOps.Add(value, TOps.Load(ref source)), ref destination);

    private interface IRows { static abstract int Rows { get; } }
    private readonly struct Rows6 : IRows { public static int Rows => 6; }
    private readonly struct Rows4 : IRows { public static int Rows => 4; }
    private readonly struct Rows2 : IRows { public static int Rows => 2; }

    /// <summary>An R-row × 4-vector tile (R = 6, 4 or 2: the JIT drops the unused rows).</summary>
    private static void TileRx4<TOps, TV, TRows>(ref float a, int rs, int ds, ref float b, ref float c, ref float s, int ldb, int ldc, int lds, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct where TRows : struct, IRows
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c02 = TOps.Zero, c03 = TOps.Zero;
        TV c10 = TOps.Zero, c11 = TOps.Zero, c12 = TOps.Zero, c13 = TOps.Zero;
        TV c20 = TOps.Zero, c21 = TOps.Zero, c22 = TOps.Zero, c23 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c32 = TOps.Zero, c33 = TOps.Zero;
        TV c40 = TOps.Zero, c41 = TOps.Zero, c42 = TOps.Zero, c43 = TOps.Zero;
        TV c50 = TOps.Zero, c51 = TOps.Zero, c52 = TOps.Zero, c53 = TOps.Zero;
        // Row offsets and strides as native integers computed once: recomputed in the loop (int multiply, sign
        // extension) they took ALU slots from the FMA ports (~20% of the tile's speed).
        nint r1 = rs, r2 = 2 * (nint)rs, r3 = 3 * (nint)rs, r4 = 4 * (nint)rs, r5 = 5 * (nint)rs, step = ds, row = ldb;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < k; p++)
        {
            TV b0 = TOps.Load(ref bp), b1 = TOps.Load(ref Unsafe.Add(ref bp, w));
            TV b2 = TOps.Load(ref Unsafe.Add(ref bp, 2 * w)), b3 = TOps.Load(ref Unsafe.Add(ref bp, 3 * w));
            TV x = TOps.Broadcast(ap);
            c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01); c02 = TOps.MultiplyAdd(x, b2, c02); c03 = TOps.MultiplyAdd(x, b3, c03);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11); c12 = TOps.MultiplyAdd(x, b2, c12); c13 = TOps.MultiplyAdd(x, b3, c13);
            if (TRows.Rows >= 4)
            {
                x = TOps.Broadcast(Unsafe.Add(ref ap, r2));
                c20 = TOps.MultiplyAdd(x, b0, c20); c21 = TOps.MultiplyAdd(x, b1, c21); c22 = TOps.MultiplyAdd(x, b2, c22); c23 = TOps.MultiplyAdd(x, b3, c23);
                x = TOps.Broadcast(Unsafe.Add(ref ap, r3));
                c30 = TOps.MultiplyAdd(x, b0, c30); c31 = TOps.MultiplyAdd(x, b1, c31); c32 = TOps.MultiplyAdd(x, b2, c32); c33 = TOps.MultiplyAdd(x, b3, c33);
            }
            if (TRows.Rows >= 6)
            {
                x = TOps.Broadcast(Unsafe.Add(ref ap, r4));
                c40 = TOps.MultiplyAdd(x, b0, c40); c41 = TOps.MultiplyAdd(x, b1, c41); c42 = TOps.MultiplyAdd(x, b2, c42); c43 = TOps.MultiplyAdd(x, b3, c43);
                x = TOps.Broadcast(Unsafe.Add(ref ap, r5));
                c50 = TOps.MultiplyAdd(x, b0, c50); c51 = TOps.MultiplyAdd(x, b1, c51); c52 = TOps.MultiplyAdd(x, b2, c52); c53 = TOps.MultiplyAdd(x, b3, c53);
            }
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, row);
        }
        ref float cr = ref c, sr = ref s;
        Add<TOps, TV>(c00, ref sr, ref cr); Add<TOps, TV>(c01, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c02, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c03, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
        cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c10, ref sr, ref cr); Add<TOps, TV>(c11, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c12, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c13, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
        if (TRows.Rows >= 4)
        {
            cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
            Add<TOps, TV>(c20, ref sr, ref cr); Add<TOps, TV>(c21, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c22, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c23, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
            cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
            Add<TOps, TV>(c30, ref sr, ref cr); Add<TOps, TV>(c31, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c32, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c33, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
        }
        if (TRows.Rows >= 6)
        {
            cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
            Add<TOps, TV>(c40, ref sr, ref cr); Add<TOps, TV>(c41, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c42, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c43, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
            cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
            Add<TOps, TV>(c50, ref sr, ref cr); Add<TOps, TV>(c51, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); Add<TOps, TV>(c52, ref Unsafe.Add(ref sr, 2 * w), ref Unsafe.Add(ref cr, 2 * w)); Add<TOps, TV>(c53, ref Unsafe.Add(ref sr, 3 * w), ref Unsafe.Add(ref cr, 3 * w));
        }
    }

    private static void Tile6x2<TOps, TV>(ref float a, int rs, int ds, ref float b, ref float c, ref float s, int ldb, int ldc, int lds, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        TV c00 = TOps.Zero, c01 = TOps.Zero, c10 = TOps.Zero, c11 = TOps.Zero, c20 = TOps.Zero, c21 = TOps.Zero;
        TV c30 = TOps.Zero, c31 = TOps.Zero, c40 = TOps.Zero, c41 = TOps.Zero, c50 = TOps.Zero, c51 = TOps.Zero;
        nint r1 = rs, r2 = 2 * (nint)rs, r3 = 3 * (nint)rs, r4 = 4 * (nint)rs, r5 = 5 * (nint)rs, step = ds, row = ldb;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < k; p++)
        {
            TV b0 = TOps.Load(ref bp), b1 = TOps.Load(ref Unsafe.Add(ref bp, w));
            TV x = TOps.Broadcast(ap);
            c00 = TOps.MultiplyAdd(x, b0, c00); c01 = TOps.MultiplyAdd(x, b1, c01);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r1));
            c10 = TOps.MultiplyAdd(x, b0, c10); c11 = TOps.MultiplyAdd(x, b1, c11);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r2));
            c20 = TOps.MultiplyAdd(x, b0, c20); c21 = TOps.MultiplyAdd(x, b1, c21);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r3));
            c30 = TOps.MultiplyAdd(x, b0, c30); c31 = TOps.MultiplyAdd(x, b1, c31);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r4));
            c40 = TOps.MultiplyAdd(x, b0, c40); c41 = TOps.MultiplyAdd(x, b1, c41);
            x = TOps.Broadcast(Unsafe.Add(ref ap, r5));
            c50 = TOps.MultiplyAdd(x, b0, c50); c51 = TOps.MultiplyAdd(x, b1, c51);
            ap = ref Unsafe.Add(ref ap, step);
            bp = ref Unsafe.Add(ref bp, row);
        }
        ref float cr = ref c, sr = ref s;
        Add<TOps, TV>(c00, ref sr, ref cr); Add<TOps, TV>(c01, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c10, ref sr, ref cr); Add<TOps, TV>(c11, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c20, ref sr, ref cr); Add<TOps, TV>(c21, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c30, ref sr, ref cr); Add<TOps, TV>(c31, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c40, ref sr, ref cr); Add<TOps, TV>(c41, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w)); cr = ref Unsafe.Add(ref cr, ldc); sr = ref Unsafe.Add(ref sr, lds);
        Add<TOps, TV>(c50, ref sr, ref cr); Add<TOps, TV>(c51, ref Unsafe.Add(ref sr, w), ref Unsafe.Add(ref cr, w));
    }

    private static void Tile1x2<TOps, TV>(ref float a, int ds, ref float b, ref float c, ref float s, int ldb, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        // Two partial sums per column vector hide the FMA latency of a single row.
        TV c0 = TOps.Zero, c1 = TOps.Zero, d0 = TOps.Zero, d1 = TOps.Zero;
        ref float ap = ref a;
        ref float bp = ref b;
        int p = 0;
        for (; p + 2 <= k; p += 2)
        {
            TV x = TOps.Broadcast(ap), y = TOps.Broadcast(Unsafe.Add(ref ap, ds));
            c0 = TOps.MultiplyAdd(x, TOps.Load(ref bp), c0);
            c1 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref bp, w)), c1);
            d0 = TOps.MultiplyAdd(y, TOps.Load(ref Unsafe.Add(ref bp, ldb)), d0);
            d1 = TOps.MultiplyAdd(y, TOps.Load(ref Unsafe.Add(ref bp, ldb + w)), d1);
            ap = ref Unsafe.Add(ref ap, 2 * ds);
            bp = ref Unsafe.Add(ref bp, 2 * ldb);
        }
        if (p < k)
        {
            TV x = TOps.Broadcast(ap);
            c0 = TOps.MultiplyAdd(x, TOps.Load(ref bp), c0);
            c1 = TOps.MultiplyAdd(x, TOps.Load(ref Unsafe.Add(ref bp, w)), c1);
        }
        Add<TOps, TV>(TOps.Add(c0, d0), ref s, ref c);
        Add<TOps, TV>(TOps.Add(c1, d1), ref Unsafe.Add(ref s, w), ref Unsafe.Add(ref c, w));
    }

    private static void Tile1x1<TOps, TV>(ref float a, int ds, ref float b, ref float c, ref float s, int ldb, int k)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        TV c0 = TOps.Zero;
        ref float ap = ref a;
        ref float bp = ref b;
        for (int p = 0; p < k; p++)
        {
            c0 = TOps.MultiplyAdd(TOps.Broadcast(ap), TOps.Load(ref bp), c0);
            ap = ref Unsafe.Add(ref ap, ds);
            bp = ref Unsafe.Add(ref bp, ldb);
        }
        Add<TOps, TV>(c0, ref s, ref c);
    }
}
