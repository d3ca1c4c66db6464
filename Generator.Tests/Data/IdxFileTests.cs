using System.Buffers.Binary;
using System.IO.Compression;
using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class IdxFileTests
{
    public static TheoryData<IdxType, int> TypesAndRanks()
    {
        var data = new TheoryData<IdxType, int>();
        foreach (IdxType type in Enum.GetValues<IdxType>())
        {
            for (int rank = 1; rank <= 4; rank++)
            {
                data.Add(type, rank);
            }
        }

        return data;
    }

    // Values that each type holds exactly, its extremes included.
    private static float[] SampleValues(IdxType type, int count)
    {
        float[] pool = type switch
        {
            IdxType.UnsignedByte => [0, 1, 127, 128, 200, 255],
            IdxType.SignedByte => [-128, -1, 0, 1, 100, 127],
            IdxType.Int16 => [-32768, -300, 0, 7, 1000, 32767],
            IdxType.Int32 => [int.MinValue, -70000, 0, 5, 16777216, 2147483520],
            IdxType.Float32 => [-1.5e30f, -0.25f, 0, 3.14159f, float.Epsilon, 1e-20f],
            _ => [-2.5f, 0.1f, 0, 1e30f, -1e-30f, 123456.78f],
        };
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = pool[(i * 7 + i / 3) % pool.Length];
        }

        return values;
    }

    private static int[] Dims(int rank) => new[] { 3, 2, 4, 2 }[..rank];

    [Theory]
    [MemberData(nameof(TypesAndRanks))]
    public void RoundTripsEveryTypeAndRank(IdxType type, int rank)
    {
        int[] dims = Dims(rank);
        float[] values = SampleValues(type, dims.Aggregate(1, (a, b) => a * b));
        var original = new IdxFile(type, dims, values);

        using var temp = new TempFolder();
        foreach (string name in new[] { "a.idx", "a.idx.gz" })
        {
            string path = temp.File(name);
            original.Write(path);
            var read = IdxFile.Read(path);
            Assert.Equal(type, read.Type);
            Assert.Equal(dims, read.Dimensions);
            Assert.Equal(values, read.Values);
        }

        // The header on disk: magic 0x0000 | type | rank, then big-endian dimensions; then the elements.
        byte[] bytes = File.ReadAllBytes(temp.File("a.idx"));
        Assert.Equal(new byte[] { 0, 0, (byte)type, (byte)rank }, bytes[..4]);
        for (int d = 0; d < rank; d++)
        {
            Assert.Equal(dims[d], BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d)));
        }

        int size = type switch
        {
            IdxType.UnsignedByte or IdxType.SignedByte => 1,
            IdxType.Int16 => 2,
            IdxType.Int32 or IdxType.Float32 => 4,
            _ => 8,
        };
        Assert.Equal(4 + 4 * rank + values.Length * size, bytes.Length);
        Assert.True(GZipMagic(File.ReadAllBytes(temp.File("a.idx.gz"))));
    }

    [Fact]
    public void ElementsAreBigEndian()
    {
        using var stream = new MemoryStream();
        new IdxFile(IdxType.Int16, [2], [258f, -2f]).Write(stream);
        Assert.Equal(new byte[] { 0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE }, stream.ToArray());

        stream.SetLength(0);
        new IdxFile(IdxType.Float32, [1], [1f]).Write(stream);
        Assert.Equal(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0x80, 0, 0 }, stream.ToArray());
    }

    [Fact]
    public void ReadsMnistLikeImagesAndLabelsWrittenByHand()
    {
        const int count = 5, rows = 4, cols = 3;
        using var temp = new TempFolder();

        // Images: magic 0x00000803, then count, rows, cols; pixel p of image i is Pixel(i, p).
        static int Pixel(int i, int p) => i == 1 && p == 0 ? 255 : (i * 50 + p) % 256;
        var images = new List<byte> { 0, 0, 8, 3 };
        foreach (int d in new[] { count, rows, cols })
        {
            images.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }

        for (int i = 0; i < count; i++)
        {
            for (int p = 0; p < rows * cols; p++)
            {
                images.Add((byte)Pixel(i, p));
            }
        }

        // Labels: magic 0x00000801, then count; gzip-compressed as MNIST is distributed.
        byte[] labels = [0, 0, 8, 1, 0, 0, 0, count, 7, 2, 1, 0, 9];
        string imagePath = temp.File("train-images-idx3-ubyte");
        string labelPath = temp.File("train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(imagePath, [.. images]);
        using (var file = File.Create(labelPath))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(labels);
        }

        var imageFile = IdxFile.Read(imagePath, scale: 1f / 255);
        Assert.Equal(IdxType.UnsignedByte, imageFile.Type);
        Assert.Equal([count, rows, cols], imageFile.Dimensions);
        Assert.Equal(count, imageFile.Count);
        Assert.Equal(rows * cols, imageFile.ItemLength);
        for (int i = 0; i < count; i++)
        {
            Span<float> image = imageFile.Item(i);
            for (int p = 0; p < image.Length; p++)
            {
                Assert.Equal(Pixel(i, p) / 255f, image[p], 1e-6f);
            }
        }

        Assert.Equal(1f, imageFile.Values.Max(), 1e-6f);
        Assert.Equal(0f, imageFile.Values.Min());
        Assert.Equal(255f, IdxFile.Read(imagePath).Item(1)[0]);

        var labelFile = IdxFile.Read(labelPath);
        Assert.Equal([count], labelFile.Dimensions);
        Assert.Equal([7, 2, 1, 0, 9], labelFile.ToLabels());
        Assert.Throws<InvalidOperationException>(() => IdxFile.Read(labelPath, scale: 0.5f).ToLabels());
    }

    [Fact]
    public void ReadsGzipFromSeekableStreamButAsksForGZipStreamOtherwise()
    {
        var original = new IdxFile(IdxType.UnsignedByte, [2, 2], [1, 2, 3, 4]);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            original.Write(gzip);
        }

        compressed.Position = 0;
        Assert.Equal(original.Values, IdxFile.Read(compressed).Values);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new ForwardOnlyStream(compressed.ToArray())));
        Assert.Contains("GZipStream", error.Message);
    }

    [Fact]
    public void EmptyDimensionsAreAllowed()
    {
        using var stream = new MemoryStream();
        new IdxFile(IdxType.Float32, [0, 28, 28], []).Write(stream);
        stream.Position = 0;
        var read = IdxFile.Read(stream);
        Assert.Equal([0, 28, 28], read.Dimensions);
        Assert.Equal(784, read.ItemLength);
        Assert.Empty(read.Values);
    }

    [Fact]
    public void WrongMagicIsAnError()
    {
        Assert.Contains("bad magic number 0x01000803", ErrorOf([1, 0, 8, 3, 0, 0, 0, 0]));
        Assert.Contains("unknown type code 0x0A", ErrorOf([0, 0, 0x0A, 1, 0, 0, 0, 0]));
        Assert.Contains("rank 0", ErrorOf([0, 0, 8, 0]));
        Assert.Contains("rank 5", ErrorOf([0, 0, 8, 5]));
    }

    [Fact]
    public void TruncatedFilesAreErrorsThatSayHowMuchIsMissing()
    {
        Assert.Contains("empty", ErrorOf([]));
        Assert.Contains("truncated magic number: 3 of its 4 bytes", ErrorOf([0, 0, 8]));
        Assert.Contains("truncated header: 3 dimensions need 12 bytes after the magic number, found 6", ErrorOf([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]));

        // 2 × 3 Int16 values need 12 bytes; 7 are there.
        byte[] bytes = [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7];
        Assert.Contains("truncated data: 2 × 3 Int16 values need 12 bytes after the 12-byte header, found 7", ErrorOf(bytes));

        // The same in a gzip file cut short: incompressible data, so the cut falls inside the elements.
        using var temp = new TempFolder();
        string path = temp.File("short.idx.gz");
        var rng = new Rng(3);
        var values = new float[4000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextInt(256);
        }

        new IdxFile(IdxType.UnsignedByte, [values.Length], values).Write(path);
        byte[] full = File.ReadAllBytes(path);
        File.WriteAllBytes(path, full[..(full.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("short.idx.gz", error.Message);
        Assert.Contains("gzip data is cut short", error.Message);
        Assert.Contains("need 4000 bytes", error.Message);
    }

    [Fact]
    public void TrailingBytesAreAnError() =>
        Assert.Contains("2 bytes after the 3 bytes of data", ErrorOf([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5]));

    [Fact]
    public void DimensionsThatCannotBeHeldAreErrors()
    {
        Assert.Contains("dimension 2 of 2 is -1", ErrorOf([0, 0, 8, 2, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF]));

        // 65536 × 65536 ubyte values = 2^32 elements.
        string message = ErrorOf([0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0]);
        Assert.Contains("65536 × 65536", message);
        Assert.Contains("more than", message);

        // A zero count must not hide items too large to hold.
        Assert.Contains("one item", ErrorOf([0, 0, 8, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]));
    }

    [Fact]
    public void ConstructorAndWriterCheckTheirInput()
    {
        Assert.Throws<ArgumentException>(() => new IdxFile(IdxType.UnsignedByte, [2, 2], [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => new IdxFile(IdxType.UnsignedByte, [], []));
        Assert.Throws<ArgumentException>(() => new IdxFile(IdxType.UnsignedByte, [1, 1, 1, 1, 1], [1]));
        Assert.Throws<ArgumentException>(() => new IdxFile((IdxType)0x0A, [1], [1]));

        using var stream = new MemoryStream();
        Assert.Throws<InvalidOperationException>(() => new IdxFile(IdxType.UnsignedByte, [1], [256]).Write(stream));
        Assert.Throws<InvalidOperationException>(() => new IdxFile(IdxType.SignedByte, [1], [-129]).Write(stream));
        Assert.Throws<InvalidOperationException>(() => new IdxFile(IdxType.Int16, [1], [0.5f]).Write(stream));
        Assert.Throws<InvalidOperationException>(() => new IdxFile(IdxType.Int32, [1], [2147483648f]).Write(stream));
    }

    private static string ErrorOf(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(bytes))).Message;

    private static bool GZipMagic(byte[] bytes) => bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
