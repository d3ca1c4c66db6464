using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class SlidingWindowsTests
{
    private static readonly float[] Series = [10, 11, 12, 13, 14, 15, 16];

    [Fact]
    public void OneStepAheadWindows()
    {
        var windows = SlidingWindows.Create(Series, length: 3);
        Assert.Equal(4, windows.Count);
        Assert.Equal([10f, 11, 12, 11, 12, 13, 12, 13, 14, 13, 14, 15], windows.Inputs);
        Assert.Equal([13f, 14, 15, 16], windows.Targets);
        Assert.Equal([12f, 13, 14], windows.Input(2).ToArray());
        Assert.Equal([15f], windows.Target(2).ToArray());
    }

    [Fact]
    public void HorizonAndStride()
    {
        // Starts 0, 2 (4 would need values up to index 8).
        var windows = SlidingWindows.Create(Series, length: 2, horizon: 3, stride: 2);
        Assert.Equal(2, windows.Count);
        Assert.Equal((2, 3, 2), (windows.Length, windows.Horizon, windows.Stride));
        Assert.Equal([10f, 11, 12, 13], windows.Inputs);
        Assert.Equal([12f, 13, 14, 14, 15, 16], windows.Targets);

        // (7 − 1 − 1) / 3 + 1 = 2 windows: starts 0 and 3; the last value is only a target.
        windows = SlidingWindows.Create(Series, length: 1, stride: 3);
        Assert.Equal([10f, 13], windows.Inputs);
        Assert.Equal([11f, 14], windows.Targets);
    }

    [Fact]
    public void TooShortSeriesGivesNoWindows()
    {
        Assert.Equal(0, SlidingWindows.Create(Series, length: 7).Count);
        Assert.Equal(1, SlidingWindows.Create(Series, length: 6).Count);
        Assert.Empty(SlidingWindows.Create([], length: 2).Inputs);
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series, length: 1).Input(6));
    }

    [Fact]
    public void SequencesAreBatchMajorWithOneFeature()
    {
        var windows = SlidingWindows.Create(Series, length: 3, horizon: 2);
        float[][][] sequences = windows.ToSequences();
        Assert.Equal(3, sequences.Length);
        for (int i = 0; i < sequences.Length; i++)
        {
            Assert.Equal(3, sequences[i].Length);
            for (int t = 0; t < 3; t++)
            {
                Assert.Equal([Series[i + t]], sequences[i][t]);
                Assert.Equal(windows.Inputs[i * 3 + t], sequences[i][t][0]);
            }
        }
    }

    [Fact]
    public void RejectsNonPositiveArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series, length: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series, length: 2, horizon: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Create(Series, length: 2, stride: 0));
    }
}
