using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>StreamingCopy (how DataParallel hands the parameters to its replicas): exact on every path.</summary>
public class StreamingCopyTests
{
    [Theory]
    [InlineData(0, 0, 101_770)] // aligned: the non-temporal path, with a tail
    [InlineData(0, 0, 64)]
    [InlineData(0, 0, 5)]
    [InlineData(1, 0, 1000)]    // misaligned source or destination: the plain copy
    [InlineData(0, 3, 1000)]
    public void Copies_every_float(int sourceShift, int destinationShift, int length)
    {
        var source = new AlignedBuffer(length + 16);
        var destination = new AlignedBuffer(length + 16);
        var from = source.Slice(sourceShift, length);
        for (int i = 0; i < length; i++) from[i] = i * 0.25f - 7f;
        destination.Span.Fill(float.NaN);

        StreamingCopy.Copy(from, destination.Slice(destinationShift, length));

        Assert.Equal(from.ToArray(), destination.Slice(destinationShift, length).ToArray());
        Assert.All(destination.Span[..destinationShift].ToArray(), v => Assert.True(float.IsNaN(v)));
        Assert.All(destination.Span[(destinationShift + length)..].ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Lengths_must_match()
    {
        var e = Assert.Throws<ArgumentException>(() => StreamingCopy.Copy(new float[10], new float[12]));
        Assert.Contains("10 floats but destination 12", e.Message);
    }
}
