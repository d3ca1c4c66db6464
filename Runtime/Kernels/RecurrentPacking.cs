using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The block-major packing of a gated cell's W_hh [G·H × H] for its packed streaming step (<c>Lstm.StepPacked</c>,
/// <c>Gru.StepPacked</c>): block b (units U·b … U·b + U − 1), row j, G·U floats = gate q's weight from h_j to unit
/// U·b + u at U·q + u, so one row is every sum h_j feeds in the block. The units are padded with zero weights to a
/// multiple of 32 (<see cref="PaddedUnits"/>), whole blocks at either width; the rows stay H.
/// </summary>
internal static class RecurrentPacking
{
    /// <summary>Units per block on this machine: two vectors' worth (32 with 512-bit vectors, 16 with 256-bit).</summary>
    public static int BlockUnits => CellPath.Width == 512 ? 32 : 16;

    /// <summary>
    /// Whether the packed steps take H: a multiple of 32, or any H from 2 on that is not a multiple of 16 (its units
    /// padded to whole blocks of 32). Measured one step against the model's kernels (see Lstm.Packed.cs): the padded
    /// step wins wherever the model's kernels run a remainder (H = 2 … 100 not a multiple of 16: 1.1–5×), and loses at
    /// H = 1 and at the odd multiples of 16, where those run whole vectors with half the padded step's cell work.
    /// The generator's ModelEmitter.PacksRecurrent mirrors this rule.
    /// </summary>
    public static bool Takes(int hiddenSize) => hiddenSize % 32 == 0 ? hiddenSize > 0 : hiddenSize > 1 && hiddenSize % 16 != 0;

    /// <summary>H rounded up to a multiple of 32: the units a packed W_hh holds.</summary>
    public static int PaddedUnits(int hiddenSize) => (hiddenSize + 31) & ~31;

    /// <summary>Floats of a packed W_hh: gates·<see cref="PaddedUnits"/>(H) × H.</summary>
    public static int Length(int hiddenSize, int gates) => KernelChecks.Elements(gates * PaddedUnits(hiddenSize), hiddenSize);

    /// <summary>
    /// padded[q·P + u] = source[q·H + u] for u &lt; H, 0 for H ≤ u &lt; P (P = <see cref="PaddedUnits"/>(H)): a gate-major
    /// vector of G gates laid out for the padded units. Eight floats at a time, the last few of a gate through a masked
    /// load (nothing past the gate is read): this runs around every padded step, and span copies of a few floats each
    /// cost more than the step's padding saves (H = 16: 453 ns a step against 250 at H = 32).
    /// </summary>
    public static unsafe void PadGates(ReadOnlySpan<float> source, Span<float> padded, int gates, int hiddenSize)
    {
        int h = hiddenSize, p = PaddedUnits(h);
        KernelChecks.AtLeast(source.Length, KernelChecks.Elements(gates, h), nameof(source));
        KernelChecks.AtLeast(padded.Length, KernelChecks.Elements(gates, p), nameof(padded));
        fixed (float* from = source, to = padded)
        {
            for (int q = 0; q < gates; q++)
            {
                float* s = from + ((nint)q * h), d = to + ((nint)q * p);
                int u = 0;
                if (Avx.IsSupported)
                {
                    for (; u + 8 <= h; u += 8) Avx.Store(d + u, Avx.LoadVector256(s + u));
                    if (u < h)
                    {
                        Vector256<float> lanes = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(h - u)).AsSingle();
                        Avx.Store(d + u, Avx.MaskLoad(s + u, lanes));
                        u += 8;
                    }
                    for (; u < p; u += 8) Avx.Store(d + u, Vector256<float>.Zero);
                }
                else
                {
                    for (; u < h; u++) d[u] = s[u];
                    for (; u < p; u++) d[u] = 0f;
                }
            }
        }
    }

    /// <summary>Packs <paramref name="weightHh"/> ([gates·H × H]) into <paramref name="packed"/> in blocks of <paramref name="blockUnits"/> units.</summary>
    /// <exception cref="ArgumentException">A span is too short, or H is not positive.</exception>
    public static void Pack(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize, int gates, int blockUnits)
    {
        int h = hiddenSize, units = blockUnits;
        if (h <= 0) throw new ArgumentException($"Packing takes a positive H, not {h}.", nameof(hiddenSize));
        KernelChecks.AtLeast(weightHh.Length, KernelChecks.Elements(gates * h, h), nameof(weightHh));
        KernelChecks.AtLeast(packed.Length, Length(h, gates), nameof(packed));
        for (int b = 0; b < PaddedUnits(h) / units; b++)
            for (int j = 0; j < h; j++)
                for (int q = 0; q < gates; q++)
                    for (int u = 0; u < units; u++)
                    {
                        int unit = (units * b) + u;
                        packed[(((b * h) + j) * gates * units) + (units * q) + u] = unit < h ? weightHh[(((q * h) + unit) * h) + j] : 0f;
                    }
    }
}
