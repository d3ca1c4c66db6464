using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// One-hot inputs (a character model's usual input: every row holds at most one nonzero) take a gather instead of the
/// dense product: row r's projection is x[r, c]·W_ih[:, c] + bias for its one column c, and its share of the weight
/// gradient x[r, c]·dPre[r, :] lands in column c only. For W5's 65-character vocabulary that is 1/65 of the dense
/// product's arithmetic. The forward values are the dense path's bit for bit (a zero term adds nothing to a sum that
/// starts from +0) as long as the weights are finite; the weight gradient sums the same products in row order.
/// </summary>
public static partial class RecurrentInput
{
    /// <summary>Marks a row with more than one nonzero in <see cref="NonzeroColumn"/>.</summary>
    private const int Dense = -2;

    /// <summary>Whether every one of the <paramref name="rows"/> rows of x holds at most one nonzero (NaN counts as nonzero).</summary>
    private static bool IsOneHot(ReadOnlySpan<float> x, int rows, int inputs)
    {
        for (int r = 0; r < rows; r++)
            if (NonzeroColumn(x.Slice(r * inputs, inputs)) == Dense) return false;
        return true;
    }

    /// <summary>The column of the row's only nonzero, −1 when it has none, <see cref="Dense"/> when it has more.</summary>
    private static int NonzeroColumn(ReadOnlySpan<float> row)
    {
        int found = -1, j = 0;
        ref float start = ref MemoryMarshal.GetReference(row);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 16 <= row.Length; j += 16)
            {
                ulong bits = ~Vector512.Equals(Vector512.LoadUnsafe(ref start, (nuint)j), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFF;
                if (bits == 0) continue;
                if (found >= 0 || (bits & (bits - 1)) != 0) return Dense;
                found = j + BitOperations.TrailingZeroCount(bits);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= row.Length; j += 8)
            {
                uint bits = ~Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)j), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                if (bits == 0) continue;
                if (found >= 0 || (bits & (bits - 1)) != 0) return Dense;
                found = j + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; j < row.Length; j++)
        {
            if (row[j] == 0f) continue;
            if (found >= 0) return Dense;
            found = j;
        }
        return found;
    }

    /// <summary>pre[r, :] = (x[r, c]·W_ihᵀ[c, :] + 0) + bias, or 0 + bias for an all-zero row, with wt = W_ihᵀ [inputs × gates].</summary>
    private static void OneHotForward(ReadOnlySpan<float> x, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> pre, int rows, int gates, int inputs)
    {
        switch (CellPath.Width)
        {
            case 512: OneHotForward<Ops512, Vector512<float>>(x, wt, bias, pre, rows, gates, inputs); break;
            case 256: OneHotForward<Ops256, Vector256<float>>(x, wt, bias, pre, rows, gates, inputs); break;
            default: OneHotForward<OpsScalar, float>(x, wt, bias, pre, rows, gates, inputs); break;
        }
    }

    private static void OneHotForward<TOps, TV>(ReadOnlySpan<float> x, ReadOnlySpan<float> wt, ReadOnlySpan<float> bias, Span<float> pre, int rows, int gates, int inputs)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float rb = ref MemoryMarshal.GetReference(bias);
        for (int r = 0; r < rows; r++)
        {
            int c = NonzeroColumn(x.Slice(r * inputs, inputs));
            // The dense kernel's sum starts from +0: with the one term fused onto it, a product of −0 becomes +0 there too.
            TV scale = TOps.Broadcast(c < 0 ? 0f : x[r * inputs + c]);
            ref float rw = ref MemoryMarshal.GetReference(wt.Slice(Math.Max(c, 0) * gates));
            ref float ry = ref MemoryMarshal.GetReference(pre.Slice(r * gates, gates));
            int j = 0;
            for (; j + w <= gates; j += w)
            {
                TV term = TOps.MultiplyAdd(scale, TOps.Load(ref Unsafe.Add(ref rw, j)), TOps.Zero);
                TOps.Store(TOps.Add(term, TOps.Load(ref Unsafe.Add(ref rb, j))), ref Unsafe.Add(ref ry, j));
            }
            float s = c < 0 ? 0f : x[r * inputs + c];
            for (; j < gates; j++)
                Unsafe.Add(ref ry, j) = OpsScalar.MultiplyAdd(s, Unsafe.Add(ref rw, j), 0f) + Unsafe.Add(ref rb, j);
        }
    }

    /// <summary>
    /// For one-hot x, in one pass over dPre: product[c, :] += x[r, c]·dPre[r, :] for each row's nonzero column c (xᵀ·dPre)
    /// and dBias += dPre[r, :], rows in order (the sums of <see cref="Bias.AccumulateRowSums"/>, bit for bit).
    /// </summary>
    private static void OneHotGradients(ReadOnlySpan<float> dPre, ReadOnlySpan<float> x, Span<float> product, Span<float> dBias, int rows, int gates, int inputs)
    {
        switch (CellPath.Width)
        {
            case 512: OneHotGradients<Ops512, Vector512<float>>(dPre, x, product, dBias, rows, gates, inputs); break;
            case 256: OneHotGradients<Ops256, Vector256<float>>(dPre, x, product, dBias, rows, gates, inputs); break;
            default: OneHotGradients<OpsScalar, float>(dPre, x, product, dBias, rows, gates, inputs); break;
        }
    }

    private static void OneHotGradients<TOps, TV>(ReadOnlySpan<float> dPre, ReadOnlySpan<float> x, Span<float> product, Span<float> dBias, int rows, int gates, int inputs)
        where TOps : struct, IVectorOps<TV> where TV : struct
    {
        int w = TOps.Count;
        ref float rb = ref MemoryMarshal.GetReference(dBias);
        for (int r = 0; r < rows; r++)
        {
            int c = NonzeroColumn(x.Slice(r * inputs, inputs));
            float s = c < 0 ? 0f : x[r * inputs + c];
            TV scale = TOps.Broadcast(s);
            ref float rd = ref MemoryMarshal.GetReference(dPre.Slice(r * gates, gates));
            ref float rp = ref MemoryMarshal.GetReference(product.Slice(Math.Max(c, 0) * gates, gates));
            int j = 0;
            if (c < 0)
            {
                for (; j + w <= gates; j += w)
                    TOps.Store(TOps.Add(TOps.Load(ref Unsafe.Add(ref rb, j)), TOps.Load(ref Unsafe.Add(ref rd, j))), ref Unsafe.Add(ref rb, j));
                for (; j < gates; j++)
                    Unsafe.Add(ref rb, j) += Unsafe.Add(ref rd, j);
                continue;
            }
            for (; j + w <= gates; j += w)
            {
                TV d = TOps.Load(ref Unsafe.Add(ref rd, j));
                TOps.Store(TOps.Add(TOps.Load(ref Unsafe.Add(ref rb, j)), d), ref Unsafe.Add(ref rb, j));
                TOps.Store(TOps.MultiplyAdd(scale, d, TOps.Load(ref Unsafe.Add(ref rp, j))), ref Unsafe.Add(ref rp, j));
            }
            for (; j < gates; j++)
            {
                float d = Unsafe.Add(ref rd, j);
                Unsafe.Add(ref rb, j) += d;
                Unsafe.Add(ref rp, j) = OpsScalar.MultiplyAdd(s, d, Unsafe.Add(ref rp, j));
            }
        }
    }
}
