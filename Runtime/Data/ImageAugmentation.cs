namespace ModelGen.Data;

/// <summary>
/// Allocation-free data augmentation for images stored channel-major (<c>channels × height × width</c>,
/// row-major within a channel), applied while a training batch is assembled.
/// </summary>
public static class ImageAugmentation
{
    /// <summary>The number of symmetries of a square (the dihedral group D4): 4 flips × optional transposition.</summary>
    public const int SquareSymmetries = 8;

    /// <summary>
    /// Writes symmetry <paramref name="symmetry"/> of <paramref name="source"/> into <paramref name="destination"/>,
    /// the same transform for every channel. Bit 0 flips horizontally (x → width − 1 − x), bit 1 flips vertically
    /// (y → height − 1 − y), bit 2 transposes (applied last, only for square images): symmetry 0 is the identity,
    /// 1 the mirror image, 3 a half turn, 4 the transpose, 5 and 6 the quarter turns, 7 the anti-transpose.
    /// </summary>
    /// <param name="source">The image, <paramref name="channels"/> × <paramref name="height"/> × <paramref name="width"/> floats.</param>
    /// <param name="destination">Receives the transformed image; same length, must not overlap <paramref name="source"/>.</param>
    /// <param name="channels">Channels, ≥ 1.</param>
    /// <param name="height">Rows, ≥ 1.</param>
    /// <param name="width">Columns, ≥ 1.</param>
    /// <param name="symmetry">0 … 7; 4 … 7 only when <paramref name="height"/> = <paramref name="width"/>.</param>
    /// <exception cref="ArgumentException">A size or <paramref name="symmetry"/> is out of range, or the spans overlap.</exception>
    public static void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, int symmetry)
    {
        Validate(source, destination, channels, height, width);
        if ((uint)symmetry >= SquareSymmetries || (symmetry >= 4 && height != width))
            throw new ArgumentOutOfRangeException(nameof(symmetry), symmetry, "Symmetry must be 0..7 (0..3 for non-square images).");

        bool flipX = (symmetry & 1) != 0, flipY = (symmetry & 2) != 0, transpose = (symmetry & 4) != 0;
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> from = source.Slice(c * plane, plane);
            Span<float> to = destination.Slice(c * plane, plane);
            for (int y = 0; y < height; y++)
            {
                int fy = flipY ? height - 1 - y : y;
                for (int x = 0; x < width; x++)
                {
                    int fx = flipX ? width - 1 - x : x;
                    int target = transpose ? fx * width + fy : fy * width + fx;
                    to[target] = from[y * width + x];
                }
            }
        }
    }

    /// <summary>
    /// Writes a uniformly drawn symmetry of <paramref name="source"/> into <paramref name="destination"/>: one of the
    /// 8 symmetries of the square for square images, one of the 4 flips otherwise (see <see cref="Apply"/>).
    /// </summary>
    /// <returns>The symmetry applied.</returns>
    public static int RandomSymmetry(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int symmetry = rng.NextInt(height == width ? SquareSymmetries : 4);
        Apply(source, destination, channels, height, width, symmetry);
        return symmetry;
    }

    private static void Validate(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long size = (long)channels * height * width;
        if (source.Length != size)
            throw new ArgumentException($"The source holds {source.Length} floats, expected {size}.", nameof(source));
        if (destination.Length != size)
            throw new ArgumentException($"The destination holds {destination.Length} floats, expected {size}.", nameof(destination));
        if (source.Overlaps(destination))
            throw new ArgumentException("Source and destination must not overlap.", nameof(destination));
    }
}
