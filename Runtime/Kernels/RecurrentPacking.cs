namespace ModelGen.Kernels;

/// <summary>
/// The block-major packing of a gated cell's W_hh [G·H × H] for its packed streaming step (<c>Lstm.StepPacked</c>,
/// <c>Gru.StepPacked</c>): block b (units U·b … U·b + U − 1), row j, G·U floats = gate q's weight from h_j to unit
/// U·b + u at U·q + u, so one row is every sum h_j feeds in the block.
/// </summary>
internal static class RecurrentPacking
{
    /// <summary>Units per block on this machine: two vectors' worth (32 with 512-bit vectors, 16 with 256-bit).</summary>
    public static int BlockUnits => CellPath.Width == 512 ? 32 : 16;

    /// <summary>Whether the packed steps take H: a positive multiple of 32 (whole blocks at either width).</summary>
    public static bool Takes(int hiddenSize) => hiddenSize > 0 && hiddenSize % 32 == 0;

    /// <summary>Packs <paramref name="weightHh"/> ([gates·H × H]) into <paramref name="packed"/> in blocks of <paramref name="blockUnits"/> units.</summary>
    /// <exception cref="ArgumentException">A span is too short, or H is not a multiple of 32.</exception>
    public static void Pack(ReadOnlySpan<float> weightHh, Span<float> packed, int hiddenSize, int gates, int blockUnits)
    {
        int h = hiddenSize, length = KernelChecks.Elements(gates * h, h), units = blockUnits;
        if (h % 32 != 0) throw new ArgumentException($"Packing takes H a multiple of 32, not {h}.", nameof(hiddenSize));
        KernelChecks.AtLeast(weightHh.Length, length, nameof(weightHh));
        KernelChecks.AtLeast(packed.Length, length, nameof(packed));
        for (int b = 0; b < h / units; b++)
            for (int j = 0; j < h; j++)
                for (int q = 0; q < gates; q++)
                    for (int u = 0; u < units; u++)
                        packed[(((b * h) + j) * gates * units) + (units * q) + u] = weightHh[((((q * h) + (units * b) + u)) * h) + j];
    }
}
