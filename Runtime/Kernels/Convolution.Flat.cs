using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

public static partial class Convolution
{
    // Two output rows oy, oy + 1 laid out on the input grid: position t of the run starting at row oy is output
    // (oy + t / W, t % W) (columns past OutWidth are garbage, never stored), and every filter tap is the constant
    // offset i·W + j. Three vectors cover 48 positions ≥ W + OutWidth: 48 lanes for both rows. Each output's sum is
    // formed as in the row kernels (bias, then the taps in order), so every path gives the same bits. What happens
    // to the two rows is the IFlatRows: max-pooled (inference) or stored as they are (training's forward pass).

    /// <summary>Finishes the two output rows one filter's three accumulators hold.</summary>
    private interface IFlatRows
    {
        void Store(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, ref float y);
    }

    /// <summary>The ReLU and the 2×2 stride-2 max pooling of both rows, stored as one pooled row of <c>pw</c> ≤ 16 outputs.</summary>
    private readonly struct PooledFlatRows(int width, int pw) : IFlatRows
    {
        // Pooled column k: top row positions 2k, 2k + 1 (vectors 0–1), bottom row W + 2k, W + 2k + 1 (vectors 1–2).
        private readonly Vector512<int> _top = Vector512.Min(Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), Vector512.Create(30));
        private readonly Vector512<int> _bottom = Vector512.Min(Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) + Vector512.Create(width - 16), Vector512.Create(30));
        private readonly Vector512<int> _tail = Vector512.Min(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(pw - 8), Vector512.Create(15));
        private readonly int _pw = pw;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, ref float y)
        {
            Vector512<int> one = Vector512<int>.One;
            Vector512<float> t = Avx512F.Max(Avx512F.PermuteVar16x32x2(v0, _top, v1), Avx512F.PermuteVar16x32x2(v0, _top + one, v1));
            Vector512<float> b = Avx512F.Max(Avx512F.PermuteVar16x32x2(v1, _bottom, v2), Avx512F.PermuteVar16x32x2(v1, _bottom + one, v2));
            Vector512<float> r = Ops512.Max(Avx512F.Max(t, b), Vector512<float>.Zero);
            // Columns 0..7, then the last eight (pw ≤ 16), overlapping with equal values.
            r.GetLower().StoreUnsafe(ref y);
            Avx512F.PermuteVar16x32(r, _tail).GetLower().StoreUnsafe(ref Unsafe.Add(ref y, _pw - 8));
        }
    }

    /// <summary>
    /// Both rows stored as they are (16 ≤ OutWidth, W + OutWidth ≤ 48), ReLU'd if asked: row oy is lanes [0, ow) of
    /// (v0, v1), row oy + 1 lanes [W, W + ow) of (v1, v2); each is a vector at its start and one ending at its end.
    /// </summary>
    private readonly struct TwoFlatRows(int width, int ow, bool relu) : IFlatRows
    {
        private readonly Vector512<int> _endA = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(ow - 16);
        private readonly Vector512<int> _startB = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(width - 16);
        private readonly Vector512<int> _endB = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(width + ow - 32);
        private readonly int _ow = ow;
        private readonly bool _relu = relu;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, ref float y)
        {
            if (_relu)
            {
                v0 = Ops512.Max(v0, Vector512<float>.Zero);
                v1 = Ops512.Max(v1, Vector512<float>.Zero);
                v2 = Ops512.Max(v2, Vector512<float>.Zero);
            }
            v0.StoreUnsafe(ref y);
            Avx512F.PermuteVar16x32x2(v0, _endA, v1).StoreUnsafe(ref y, (nuint)(_ow - 16));
            Avx512F.PermuteVar16x32x2(v1, _startB, v2).StoreUnsafe(ref y, (nuint)_ow);
            Avx512F.PermuteVar16x32x2(v1, _endB, v2).StoreUnsafe(ref y, (nuint)(2 * _ow - 16));
        }
    }

    /// <summary>Both rows of four filters (12 accumulators); filter k's rows go to <paramref name="yRow"/> + k·<paramref name="outPlane"/>.</summary>
    private static void FourFiltersFlat<TRows>(ref float xb, ref float w, ref float bias, ref float yRow, in ConvShape s,
        int oy, int outPlane, in TRows rows) where TRows : struct, IFlatRows
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw, p = s.PatchSize;
        Vector512<float> f00 = Vector512.Create(bias), f10 = Vector512.Create(Unsafe.Add(ref bias, 1));
        Vector512<float> f20 = Vector512.Create(Unsafe.Add(ref bias, 2)), f30 = Vector512.Create(Unsafe.Add(ref bias, 3));
        Vector512<float> f01 = f00, f02 = f00, f11 = f10, f12 = f10, f21 = f20, f22 = f20, f31 = f30, f32 = f30;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    Vector512<float> x0 = Vector512.LoadUnsafe(ref row, (nuint)j);
                    Vector512<float> x1 = Vector512.LoadUnsafe(ref row, (nuint)(j + 16));
                    Vector512<float> x2 = Vector512.LoadUnsafe(ref row, (nuint)(j + 32));
                    Vector512<float> v = Vector512.Create(wk);
                    f00 = Ops512.MultiplyAdd(x0, v, f00); f01 = Ops512.MultiplyAdd(x1, v, f01); f02 = Ops512.MultiplyAdd(x2, v, f02);
                    v = Vector512.Create(Unsafe.Add(ref wk, p));
                    f10 = Ops512.MultiplyAdd(x0, v, f10); f11 = Ops512.MultiplyAdd(x1, v, f11); f12 = Ops512.MultiplyAdd(x2, v, f12);
                    v = Vector512.Create(Unsafe.Add(ref wk, 2 * p));
                    f20 = Ops512.MultiplyAdd(x0, v, f20); f21 = Ops512.MultiplyAdd(x1, v, f21); f22 = Ops512.MultiplyAdd(x2, v, f22);
                    v = Vector512.Create(Unsafe.Add(ref wk, 3 * p));
                    f30 = Ops512.MultiplyAdd(x0, v, f30); f31 = Ops512.MultiplyAdd(x1, v, f31); f32 = Ops512.MultiplyAdd(x2, v, f32);
                }
            }
        }
        rows.Store(f00, f01, f02, ref yRow);
        rows.Store(f10, f11, f12, ref Unsafe.Add(ref yRow, outPlane));
        rows.Store(f20, f21, f22, ref Unsafe.Add(ref yRow, 2 * outPlane));
        rows.Store(f30, f31, f32, ref Unsafe.Add(ref yRow, 3 * outPlane));
    }

    /// <summary>Both rows of eight filters (24 accumulators: each input load feeds eight filters).</summary>
    private static void EightFiltersFlat<TRows>(ref float xb, ref float w, ref float bias, ref float yRow, in ConvShape s,
        int oy, int outPlane, in TRows rows) where TRows : struct, IFlatRows
    {
        int kh = s.KernelHeight, kw = s.KernelWidth, iw = s.Width, plane = s.Height * iw, p = s.PatchSize;
        Vector512<float> f00 = Vector512.Create(Unsafe.Add(ref bias, 0)), f10 = Vector512.Create(Unsafe.Add(ref bias, 1)), f20 = Vector512.Create(Unsafe.Add(ref bias, 2)), f30 = Vector512.Create(Unsafe.Add(ref bias, 3)), f40 = Vector512.Create(Unsafe.Add(ref bias, 4)), f50 = Vector512.Create(Unsafe.Add(ref bias, 5)), f60 = Vector512.Create(Unsafe.Add(ref bias, 6)), f70 = Vector512.Create(Unsafe.Add(ref bias, 7));
        Vector512<float> f01 = f00, f02 = f00, f11 = f10, f12 = f10, f21 = f20, f22 = f20, f31 = f30, f32 = f30, f41 = f40, f42 = f40, f51 = f50, f52 = f50, f61 = f60, f62 = f60, f71 = f70, f72 = f70;
        ref float wk = ref w;
        for (int c = 0; c < s.Channels; c++)
        {
            for (int i = 0; i < kh; i++)
            {
                ref float row = ref Unsafe.Add(ref xb, c * plane + (oy + i) * iw);
                for (int j = 0; j < kw; j++, wk = ref Unsafe.Add(ref wk, 1))
                {
                    Vector512<float> x0 = Vector512.LoadUnsafe(ref row, (nuint)j);
                    Vector512<float> x1 = Vector512.LoadUnsafe(ref row, (nuint)(j + 16));
                    Vector512<float> x2 = Vector512.LoadUnsafe(ref row, (nuint)(j + 32));
                    Vector512<float> v;
                    v = Vector512.Create(Unsafe.Add(ref wk, 0 * p));
                    f00 = Ops512.MultiplyAdd(x0, v, f00); f01 = Ops512.MultiplyAdd(x1, v, f01); f02 = Ops512.MultiplyAdd(x2, v, f02);
                    v = Vector512.Create(Unsafe.Add(ref wk, 1 * p));
                    f10 = Ops512.MultiplyAdd(x0, v, f10); f11 = Ops512.MultiplyAdd(x1, v, f11); f12 = Ops512.MultiplyAdd(x2, v, f12);
                    v = Vector512.Create(Unsafe.Add(ref wk, 2 * p));
                    f20 = Ops512.MultiplyAdd(x0, v, f20); f21 = Ops512.MultiplyAdd(x1, v, f21); f22 = Ops512.MultiplyAdd(x2, v, f22);
                    v = Vector512.Create(Unsafe.Add(ref wk, 3 * p));
                    f30 = Ops512.MultiplyAdd(x0, v, f30); f31 = Ops512.MultiplyAdd(x1, v, f31); f32 = Ops512.MultiplyAdd(x2, v, f32);
                    v = Vector512.Create(Unsafe.Add(ref wk, 4 * p));
                    f40 = Ops512.MultiplyAdd(x0, v, f40); f41 = Ops512.MultiplyAdd(x1, v, f41); f42 = Ops512.MultiplyAdd(x2, v, f42);
                    v = Vector512.Create(Unsafe.Add(ref wk, 5 * p));
                    f50 = Ops512.MultiplyAdd(x0, v, f50); f51 = Ops512.MultiplyAdd(x1, v, f51); f52 = Ops512.MultiplyAdd(x2, v, f52);
                    v = Vector512.Create(Unsafe.Add(ref wk, 6 * p));
                    f60 = Ops512.MultiplyAdd(x0, v, f60); f61 = Ops512.MultiplyAdd(x1, v, f61); f62 = Ops512.MultiplyAdd(x2, v, f62);
                    v = Vector512.Create(Unsafe.Add(ref wk, 7 * p));
                    f70 = Ops512.MultiplyAdd(x0, v, f70); f71 = Ops512.MultiplyAdd(x1, v, f71); f72 = Ops512.MultiplyAdd(x2, v, f72);
                }
            }
        }
        rows.Store(f00, f01, f02, ref yRow);
        rows.Store(f10, f11, f12, ref Unsafe.Add(ref yRow, outPlane));
        rows.Store(f20, f21, f22, ref Unsafe.Add(ref yRow, 2 * outPlane));
        rows.Store(f30, f31, f32, ref Unsafe.Add(ref yRow, 3 * outPlane));
        rows.Store(f40, f41, f42, ref Unsafe.Add(ref yRow, 4 * outPlane));
        rows.Store(f50, f51, f52, ref Unsafe.Add(ref yRow, 5 * outPlane));
        rows.Store(f60, f61, f62, ref Unsafe.Add(ref yRow, 6 * outPlane));
        rows.Store(f70, f71, f72, ref Unsafe.Add(ref yRow, 7 * outPlane));
    }
}
