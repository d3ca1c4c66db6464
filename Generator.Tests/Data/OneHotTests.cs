using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void EncodesRowMajor()
    {
        Assert.Equal([0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0], OneHot.Encode([1, 0, 2, 1], 3));
        Assert.Empty(OneHot.Encode([], 4));
    }

    [Fact]
    public void EncodeIntoOverwritesTheDestination()
    {
        var destination = new float[] { 9, 9, 9, 9 };
        OneHot.Encode([1, 0], 2, destination);
        Assert.Equal([0f, 1, 1, 0], destination);
        Assert.Throws<ArgumentException>(() => OneHot.Encode([1, 0], 2, new float[3]));
    }

    [Fact]
    public void LabelsOutOfRangeAreRejectedAndLeaveTheDestinationAlone()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, 3], 3));
        Assert.Contains("Label 1 is 3", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([-1], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0], 0));

        var destination = new float[] { 5, 5, 5, 5 };
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, 2], 2, destination));
        Assert.Equal([5f, 5, 5, 5], destination);
    }

    [Fact]
    public void DecodeIsArgMaxPerRowAndUndoesEncode()
    {
        int[] labels = [4, 0, 3, 3, 1, 2];
        Assert.Equal(labels, OneHot.Decode(OneHot.Encode(labels, 5), 5));
        Assert.Equal([2, 0], OneHot.Decode([0.1f, -2f, 0.7f, 3f, 1f, 2f], 3));
    }

    [Fact]
    public void TiesGoToTheLowestIndexAndNaNNeverWins()
    {
        Assert.Equal(1, OneHot.ArgMax([0f, 2f, 2f]));
        Assert.Equal(2, OneHot.ArgMax([float.NaN, -5f, 1f]));
        Assert.Equal(0, OneHot.ArgMax([float.NaN, float.NaN]));
        Assert.Throws<ArgumentException>(() => OneHot.ArgMax([]));
    }

    [Fact]
    public void DecodeRejectsPartialRows()
    {
        Assert.Throws<ArgumentException>(() => OneHot.Decode(new float[7], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Decode(new float[3], 0));
    }
}
