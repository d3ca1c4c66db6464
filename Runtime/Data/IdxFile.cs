using System.Buffers.Binary;
using System.IO.Compression;

namespace ModelGen.Data;

/// <summary>
/// An array in the IDX format, the format of the MNIST files: its element type, its dimensions and its values
/// as floats. Reads and writes plain and gzip-compressed files.
/// </summary>
/// <remarks>
/// <para>
/// An IDX file is a 4-byte magic number — two zero bytes, the type code (<see cref="IdxType"/>) and the rank —
/// then each dimension as a big-endian 32-bit integer, then the elements, big-endian, row-major. MNIST's images
/// are <c>0x00000803</c> (unsigned bytes, rank 3: count × 28 × 28) and its labels <c>0x00000801</c> (unsigned
/// bytes, rank 1). Ranks 1 to 4 are supported.
/// </para>
/// <para>
/// Values become floats: exactly for the byte and 16-bit types, rounded to 24 significant bits for 32-bit
/// integers beyond ±2²⁴ and for doubles. Reading checks the whole file: a bad magic number, a negative dimension,
/// more elements than an array holds, a truncated header or body, and bytes after the data are each an
/// <see cref="InvalidDataException"/> that says which and by how much.
/// </para>
/// </remarks>
public sealed class IdxFile
{
    private const string DefaultSource = "IDX input";
    private const int ChunkBytes = 1 << 16;

    private readonly int[] _dimensions;

    /// <summary>Creates an array of <paramref name="type"/> with the given dimensions and values (kept, not copied).</summary>
    /// <exception cref="ArgumentException">The type is unknown, the rank is not 1 to 4, a dimension is negative, or
    /// the dimensions do not multiply to the number of values.</exception>
    public IdxFile(IdxType type, ReadOnlySpan<int> dimensions, float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!Enum.IsDefined(type))
            throw new ArgumentException($"Unknown IDX type code 0x{(byte)type:X2}.", nameof(type));
        if (dimensions.Length is < 1 or > 4)
            throw new ArgumentException($"IDX ranks 1 to 4 are supported, not {dimensions.Length}.", nameof(dimensions));
        foreach (int d in dimensions)
        {
            if (d < 0)
                throw new ArgumentException($"Dimension {d} is negative.", nameof(dimensions));
        }

        if (TooLarge(dimensions) is { } large)
            throw new ArgumentException($"Dimensions {Format(dimensions)}: {large}.", nameof(dimensions));
        long count = Product(dimensions);
        if (count != values.Length)
            throw new ArgumentException($"Dimensions {Format(dimensions)} hold {count} values, not {values.Length}.", nameof(values));
        Type = type;
        _dimensions = dimensions.ToArray();
        Values = values;
    }

    /// <summary>The element type of the file.</summary>
    public IdxType Type { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The number of dimensions, 1 to 4.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>The first dimension: the number of items (images, labels).</summary>
    public int Count => _dimensions[0];

    /// <summary>The number of values in one item: the product of the dimensions after the first (1 for rank 1).</summary>
    public int ItemLength => (int)Product(_dimensions.AsSpan(1));

    /// <summary>The values, row-major, as read (and scaled) or as given.</summary>
    public float[] Values { get; }

    /// <summary>The values of item <paramref name="index"/> (an image, a label).</summary>
    public Span<float> Item(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Item must be in [0, {Count}).");
        return Values.AsSpan(index * ItemLength, ItemLength);
    }

    /// <summary>The values as integers, for label files.</summary>
    /// <exception cref="InvalidOperationException">A value is not an integer in the range of <see cref="int"/>
    /// (as after scaling).</exception>
    public int[] ToLabels()
    {
        var labels = new int[Values.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            float v = Values[i];
            if (!float.IsInteger(v) || v < int.MinValue || v >= 2147483648f)
                throw new InvalidOperationException($"Value {v} at index {i} is not an integer label.");
            labels[i] = (int)v;
        }

        return labels;
    }

    /// <summary>Reads the IDX file at <paramref name="path"/>, gzip-compressed or not (told by its first bytes).</summary>
    /// <param name="path">The file, such as <c>train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="scale">Every value is multiplied by it, such as 1/255 to bring pixels to [0, 1].</param>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file; the message says why.</exception>
    public static IdxFile Read(string path, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
        return Read(file, scale, path);
    }

    /// <summary>
    /// Reads an IDX array from <paramref name="stream"/>, which must hold nothing after it; the stream is left open.
    /// A seekable stream may be gzip-compressed (told by its first bytes); wrap any other compressed stream in a
    /// <see cref="GZipStream"/> first.
    /// </summary>
    /// <param name="stream">The input, from its current position.</param>
    /// <param name="scale">Every value is multiplied by it, such as 1/255 to bring pixels to [0, 1].</param>
    /// <param name="source">What error messages call the input, such as a file name.</param>
    /// <exception cref="InvalidDataException">The input is not a well-formed IDX array; the message says why.</exception>
    public static IdxFile Read(Stream stream, float scale = 1f, string source = DefaultSource)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!float.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite.");

        if (stream.CanSeek && IsGzip(stream))
        {
            using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            try
            {
                return ReadIdx(gzip, scale, source + " (gzip)", " (or the gzip data is cut short)");
            }
            // Exception.Source is the assembly whose code threw: System.IO.Compression's for bad gzip data,
            // this one's for a bad IDX array inside good gzip data (whose message is already precise).
            catch (InvalidDataException e) when (e.Source != typeof(IdxFile).Assembly.GetName().Name)
            {
                throw new InvalidDataException($"{source}: corrupt or truncated gzip data: {e.Message}", e);
            }
        }

        return ReadIdx(stream, scale, source, "");
    }

    /// <summary>Writes the array to <paramref name="path"/>, gzip-compressed when the name ends in <c>.gz</c>.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be stored exactly as <see cref="Type"/>.</exception>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, ChunkBytes);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
            Write(gzip);
        }
        else
        {
            Write(file);
        }
    }

    /// <summary>Writes the array, uncompressed, to <paramref name="stream"/>; the stream is left open.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be stored exactly as <see cref="Type"/>: an integer
    /// type gets a fraction or a value out of its range.</exception>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        int size = ElementSize(Type);
        var header = new byte[4 + 4 * Rank];
        header[2] = (byte)Type;
        header[3] = (byte)Rank;
        for (int d = 0; d < Rank; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), _dimensions[d]);
        }

        stream.Write(header);
        var chunk = new byte[ChunkBytes];
        int perChunk = ChunkBytes / size;
        for (int start = 0; start < Values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, Values.Length - start);
            for (int i = 0; i < n; i++)
            {
                Encode(Values[start + i], start + i, chunk.AsSpan(i * size, size));
            }

            stream.Write(chunk, 0, n * size);
        }
    }

    private void Encode(float v, int index, Span<byte> destination)
    {
        (double min, double max) = Type switch
        {
            IdxType.UnsignedByte => (byte.MinValue, byte.MaxValue),
            IdxType.SignedByte => (sbyte.MinValue, sbyte.MaxValue),
            IdxType.Int16 => (short.MinValue, short.MaxValue),
            IdxType.Int32 => (int.MinValue, int.MaxValue),
            _ => (double.NaN, double.NaN),
        };
        if (!double.IsNaN(min) && !(float.IsInteger(v) && v >= min && v <= max))
            throw new InvalidOperationException($"Value {v} at index {index} cannot be stored as {Type}.");

        switch (Type)
        {
            case IdxType.UnsignedByte:
                destination[0] = (byte)v;
                break;
            case IdxType.SignedByte:
                destination[0] = (byte)(sbyte)v;
                break;
            case IdxType.Int16:
                BinaryPrimitives.WriteInt16BigEndian(destination, (short)v);
                break;
            case IdxType.Int32:
                // 2^31 passes the range check as a float but is not an int.
                if (v >= 2147483648f)
                    throw new InvalidOperationException($"Value {v} at index {index} cannot be stored as {Type}.");
                BinaryPrimitives.WriteInt32BigEndian(destination, (int)v);
                break;
            case IdxType.Float32:
                BinaryPrimitives.WriteSingleBigEndian(destination, v);
                break;
            default:
                BinaryPrimitives.WriteDoubleBigEndian(destination, v);
                break;
        }
    }

    private static IdxFile ReadIdx(Stream stream, float scale, string source, string shortHint)
    {
        Span<byte> magicBytes = stackalloc byte[4];
        int got = ReadFully(stream, magicBytes);
        if (got == 0)
            throw new InvalidDataException($"{source}: empty{shortHint}; expected a 4-byte IDX magic number.");
        if (!stream.CanSeek && got >= 2 && magicBytes[0] == 0x1F && magicBytes[1] == 0x8B)
            throw new InvalidDataException($"{source}: gzip-compressed data in a stream that cannot seek; wrap it in a GZipStream.");
        if (got < 4)
            throw new InvalidDataException($"{source}: truncated magic number{shortHint}: {got} of its 4 bytes.");

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(magicBytes);
        if (magicBytes[0] != 0 || magicBytes[1] != 0)
            throw new InvalidDataException($"{source}: bad magic number 0x{magic:X8}: an IDX file starts with two zero bytes.");
        var type = (IdxType)magicBytes[2];
        if (!Enum.IsDefined(type))
            throw new InvalidDataException($"{source}: bad magic number 0x{magic:X8}: unknown type code 0x{magicBytes[2]:X2} (known: 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E).");
        int rank = magicBytes[3];
        if (rank is < 1 or > 4)
            throw new InvalidDataException($"{source}: bad magic number 0x{magic:X8}: rank {rank}; ranks 1 to 4 are supported.");

        Span<byte> dimensionBytes = stackalloc byte[4 * rank];
        got = ReadFully(stream, dimensionBytes);
        if (got < dimensionBytes.Length)
            throw new InvalidDataException($"{source}: truncated header{shortHint}: {rank} dimensions need {4 * rank} bytes after the magic number, found {got}.");

        var dimensions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int dim = BinaryPrimitives.ReadInt32BigEndian(dimensionBytes[(4 * d)..]);
            if (dim < 0)
                throw new InvalidDataException($"{source}: dimension {d + 1} of {rank} is {dim}, negative.");
            dimensions[d] = dim;
        }

        if (TooLarge(dimensions) is { } large)
            throw new InvalidDataException($"{source}: dimensions {Format(dimensions)}: {large}.");
        long count = Product(dimensions);

        int size = ElementSize(type);
        long needed = count * size;
        int headerBytes = 4 + 4 * rank;
        var values = new float[count];
        var chunk = new byte[ChunkBytes];
        int perChunk = ChunkBytes / size;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, values.Length - start);
            got = ReadFully(stream, chunk.AsSpan(0, n * size));
            if (got < n * size)
            {
                long found = (long)start * size + got;
                throw new InvalidDataException(
                    $"{source}: truncated data{shortHint}: {Format(dimensions)} {type} values need {needed} bytes after the {headerBytes}-byte header, found {found}.");
            }

            Decode(type, chunk.AsSpan(0, n * size), values.AsSpan(start, n), scale);
        }

        long extra = 0;
        while ((got = stream.Read(chunk)) > 0)
        {
            extra += got;
        }

        if (extra > 0)
            throw new InvalidDataException($"{source}: {extra} bytes after the {needed} bytes of data that {Format(dimensions)} {type} values take.");

        return new IdxFile(type, dimensions, values);
    }

    private static void Decode(IdxType type, ReadOnlySpan<byte> bytes, Span<float> values, float scale)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float v = type switch
            {
                IdxType.UnsignedByte => bytes[i],
                IdxType.SignedByte => (sbyte)bytes[i],
                IdxType.Int16 => BinaryPrimitives.ReadInt16BigEndian(bytes[(2 * i)..]),
                IdxType.Int32 => BinaryPrimitives.ReadInt32BigEndian(bytes[(4 * i)..]),
                IdxType.Float32 => BinaryPrimitives.ReadSingleBigEndian(bytes[(4 * i)..]),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(bytes[(8 * i)..]),
            };
            values[i] = scale == 1f ? v : v * scale;
        }
    }

    private static bool IsGzip(Stream stream)
    {
        long start = stream.Position;
        Span<byte> head = stackalloc byte[2];
        int got = ReadFully(stream, head);
        stream.Position = start;
        return got == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static int ElementSize(IdxType type) => type switch
    {
        IdxType.UnsignedByte or IdxType.SignedByte => 1,
        IdxType.Int16 => 2,
        IdxType.Int32 or IdxType.Float32 => 4,
        _ => 8,
    };

    // Why non-negative dimensions cannot be held, or null when they can: all of them, and those of one item
    // (which a zero first dimension would otherwise hide), must multiply to at most Array.MaxLength.
    private static string? TooLarge(ReadOnlySpan<int> dimensions)
    {
        for (int first = 0; first < Math.Min(2, dimensions.Length); first++)
        {
            long product = 1;
            for (int d = first; d < dimensions.Length; d++)
            {
                // Checked after each factor, so the product cannot overflow a long (at most 2^31 · 2^31).
                product *= dimensions[d];
                if (product > Array.MaxLength)
                {
                    string what = first == 0 ? "the array" : "one item";
                    return $"{what} would hold more than {Array.MaxLength} elements, the most an array can";
                }
            }
        }

        return null;
    }

    private static long Product(ReadOnlySpan<int> dimensions)
    {
        long product = 1;
        foreach (int d in dimensions)
        {
            product *= d;
        }

        return product;
    }

    private static string Format(ReadOnlySpan<int> dimensions)
    {
        var parts = new string[dimensions.Length];
        for (int d = 0; d < parts.Length; d++)
        {
            parts[d] = dimensions[d].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return string.Join(" × ", parts);
    }
}
