using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

internal static partial class CellKernels
{
    /// <summary>
    /// wt[p, j] = w[j, p] for a [rows × cols] matrix w. With AVX-512, whole 16 × 16 blocks are transposed in
    /// registers (unpacks, then 128-bit shuffles); the rest is copied element by element, source rows eight at a
    /// time so the strided writes stay within a few cache lines.
    /// </summary>
    public static unsafe void Transpose(ReadOnlySpan<float> w, Span<float> wt, int rows, int cols)
    {
        KernelChecks.AtLeast(w.Length, KernelChecks.Elements(rows, cols), nameof(w));
        KernelChecks.AtLeast(wt.Length, KernelChecks.Elements(rows, cols), nameof(wt));
        int blockCols = Avx512F.IsSupported ? cols & ~15 : 0, blockRows = blockCols > 0 ? rows & ~15 : 0;
        fixed (float* src = w, dst = wt)
        {
            for (int j = 0; j < blockRows; j += 16)
            {
                for (int p = 0; p < blockCols; p += 16)
                    Block16(src + ((nint)j * cols) + p, cols, dst + ((nint)p * rows) + j, rows);
                for (int p = blockCols; p < cols; p++)
                    for (int r = j; r < j + 16; r++)
                        dst[((nint)p * rows) + r] = src[((nint)r * cols) + p];
            }

            int i = blockRows;
            for (; i + 8 <= rows; i += 8)
            {
                for (int p = 0; p < cols; p++)
                {
                    float* d = dst + ((nint)p * rows) + i, s = src + ((nint)i * cols) + p;
                    d[0] = s[0]; d[1] = s[cols]; d[2] = s[2 * cols]; d[3] = s[3 * cols];
                    d[4] = s[4 * cols]; d[5] = s[5 * cols]; d[6] = s[6 * cols]; d[7] = s[7 * cols];
                }
            }
            for (; i < rows; i++)
                for (int p = 0; p < cols; p++)
                    dst[((nint)p * rows) + i] = src[((nint)i * cols) + p];
        }
    }

    /// <summary>dst[c·ds + r] = src[r·ss + c] for r, c &lt; 16: a 16 × 16 block transposed in registers.</summary>
    private static unsafe void Block16(float* src, int ss, float* dst, int ds)
    {
        Vector512<float> r0 = Vector512.Load(src), r1 = Vector512.Load(src + ss), r2 = Vector512.Load(src + (2 * ss)), r3 = Vector512.Load(src + (3 * ss));
        Vector512<float> r4 = Vector512.Load(src + (4 * ss)), r5 = Vector512.Load(src + (5 * ss)), r6 = Vector512.Load(src + (6 * ss)), r7 = Vector512.Load(src + (7 * ss));
        Vector512<float> r8 = Vector512.Load(src + (8 * ss)), r9 = Vector512.Load(src + (9 * ss)), r10 = Vector512.Load(src + (10 * ss)), r11 = Vector512.Load(src + (11 * ss));
        Vector512<float> r12 = Vector512.Load(src + (12 * ss)), r13 = Vector512.Load(src + (13 * ss)), r14 = Vector512.Load(src + (14 * ss)), r15 = Vector512.Load(src + (15 * ss));
        // Pairs of rows interleaved by element, then by element pair, then 128-bit blocks gathered in two rounds.
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        r0 = PairsLow(t0, t2); r1 = PairsHigh(t0, t2); r2 = PairsLow(t1, t3); r3 = PairsHigh(t1, t3);
        r4 = PairsLow(t4, t6); r5 = PairsHigh(t4, t6); r6 = PairsLow(t5, t7); r7 = PairsHigh(t5, t7);
        r8 = PairsLow(t8, t10); r9 = PairsHigh(t8, t10); r10 = PairsLow(t9, t11); r11 = PairsHigh(t9, t11);
        r12 = PairsLow(t12, t14); r13 = PairsHigh(t12, t14); r14 = PairsLow(t13, t15); r15 = PairsHigh(t13, t15);
        t0 = Avx512F.Shuffle4x128(r0, r4, 0x88); t1 = Avx512F.Shuffle4x128(r1, r5, 0x88); t2 = Avx512F.Shuffle4x128(r2, r6, 0x88); t3 = Avx512F.Shuffle4x128(r3, r7, 0x88);
        t4 = Avx512F.Shuffle4x128(r0, r4, 0xDD); t5 = Avx512F.Shuffle4x128(r1, r5, 0xDD); t6 = Avx512F.Shuffle4x128(r2, r6, 0xDD); t7 = Avx512F.Shuffle4x128(r3, r7, 0xDD);
        t8 = Avx512F.Shuffle4x128(r8, r12, 0x88); t9 = Avx512F.Shuffle4x128(r9, r13, 0x88); t10 = Avx512F.Shuffle4x128(r10, r14, 0x88); t11 = Avx512F.Shuffle4x128(r11, r15, 0x88);
        t12 = Avx512F.Shuffle4x128(r8, r12, 0xDD); t13 = Avx512F.Shuffle4x128(r9, r13, 0xDD); t14 = Avx512F.Shuffle4x128(r10, r14, 0xDD); t15 = Avx512F.Shuffle4x128(r11, r15, 0xDD);
        Avx512F.Shuffle4x128(t0, t8, 0x88).Store(dst); Avx512F.Shuffle4x128(t1, t9, 0x88).Store(dst + ds);
        Avx512F.Shuffle4x128(t2, t10, 0x88).Store(dst + (2 * ds)); Avx512F.Shuffle4x128(t3, t11, 0x88).Store(dst + (3 * ds));
        Avx512F.Shuffle4x128(t4, t12, 0x88).Store(dst + (4 * ds)); Avx512F.Shuffle4x128(t5, t13, 0x88).Store(dst + (5 * ds));
        Avx512F.Shuffle4x128(t6, t14, 0x88).Store(dst + (6 * ds)); Avx512F.Shuffle4x128(t7, t15, 0x88).Store(dst + (7 * ds));
        Avx512F.Shuffle4x128(t0, t8, 0xDD).Store(dst + (8 * ds)); Avx512F.Shuffle4x128(t1, t9, 0xDD).Store(dst + (9 * ds));
        Avx512F.Shuffle4x128(t2, t10, 0xDD).Store(dst + (10 * ds)); Avx512F.Shuffle4x128(t3, t11, 0xDD).Store(dst + (11 * ds));
        Avx512F.Shuffle4x128(t4, t12, 0xDD).Store(dst + (12 * ds)); Avx512F.Shuffle4x128(t5, t13, 0xDD).Store(dst + (13 * ds));
        Avx512F.Shuffle4x128(t6, t14, 0xDD).Store(dst + (14 * ds)); Avx512F.Shuffle4x128(t7, t15, 0xDD).Store(dst + (15 * ds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsLow(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> PairsHigh(Vector512<float> a, Vector512<float> b) => Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
