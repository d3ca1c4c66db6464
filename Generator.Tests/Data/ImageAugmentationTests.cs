using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class ImageAugmentationTests
{
    // Where symmetry k sends pixel (x, y) of an n × n image: bit 0 flips x, bit 1 flips y, bit 2 transposes.
    public static TheoryData<int, int, int> Expected => new()
    {
        { 0, 1, 0 }, // identity: (1, 0) stays
        { 1, 2, 0 }, // mirror: x → 4 − 1 − x
        { 2, 1, 3 }, // vertical flip: y → 3
        { 3, 2, 3 }, // half turn
        { 4, 0, 1 }, // transpose: (x, y) → (y, x)
        { 5, 0, 2 }, // flip x then transpose
        { 6, 3, 1 }, // flip y then transpose
        { 7, 3, 2 }, // anti-transpose
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void EachSymmetryMovesAMarkedPixelWhereExpected(int symmetry, int expectedX, int expectedY)
    {
        const int n = 4;
        var source = new float[2 * n * n];
        source[0 * n + 1] = 1f;             // channel 0, (x 1, y 0)
        source[n * n + 0 * n + 1] = 2f;     // channel 1, same pixel
        var destination = new float[source.Length];

        ImageAugmentation.Apply(source, destination, 2, n, n, symmetry);

        for (int c = 0; c < 2; c++)
        {
            for (int p = 0; p < n * n; p++)
            {
                float expected = p == expectedY * n + expectedX ? c + 1 : 0f;
                Assert.Equal(expected, destination[c * n * n + p]);
            }
        }
    }

    [Fact]
    public void EverySymmetryIsAPermutationAndAllEightDiffer()
    {
        const int n = 5;
        var source = new float[n * n];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = i + 1;
        }

        var seen = new HashSet<string>();
        var destination = new float[source.Length];
        for (int k = 0; k < ImageAugmentation.SquareSymmetries; k++)
        {
            Array.Fill(destination, -1f);
            ImageAugmentation.Apply(source, destination, 1, n, n, k);
            Assert.Equal(source.OrderBy(v => v), destination.OrderBy(v => v));
            Assert.True(seen.Add(string.Join(',', destination)), $"symmetry {k} repeats another");
        }
    }

    [Fact]
    public void NonSquareImagesGetFlipsOnly()
    {
        // 2 rows × 3 columns.
        float[] source = [1, 2, 3, 4, 5, 6];
        var destination = new float[6];
        ImageAugmentation.Apply(source, destination, 1, 2, 3, 3);
        Assert.Equal([6f, 5f, 4f, 3f, 2f, 1f], destination);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.Apply(source, destination, 1, 2, 3, 4));

        var rng = new Rng(3);
        for (int i = 0; i < 50; i++)
        {
            Assert.InRange(ImageAugmentation.RandomSymmetry(source, destination, 1, 2, 3, rng), 0, 3);
        }
    }

    [Fact]
    public void RandomSymmetryIsSeededAndCoversAllEight()
    {
        var source = new float[9];
        var destination = new float[9];
        var a = new Rng(42);
        var b = new Rng(42);
        var counts = new int[8];
        for (int i = 0; i < 800; i++)
        {
            int k = ImageAugmentation.RandomSymmetry(source, destination, 1, 3, 3, a);
            Assert.Equal(k, ImageAugmentation.RandomSymmetry(source, destination, 1, 3, 3, b));
            counts[k]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 60, 140));
    }

    [Fact]
    public void InvalidArgumentsAreRejected()
    {
        var buffer = new float[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.Apply(new float[4], new float[4], 1, 2, 2, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.Apply(new float[4], new float[4], 1, 2, 2, -1));
        Assert.Throws<ArgumentException>(() => ImageAugmentation.Apply(new float[4], new float[5], 1, 2, 2, 0));
        Assert.Throws<ArgumentException>(() => ImageAugmentation.Apply(buffer.AsSpan(0, 4), buffer.AsSpan(2, 4), 1, 2, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageAugmentation.Apply(new float[4], new float[4], 0, 2, 2, 0));
    }
}
