using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

public class EmbeddingSequencesTests
{
    [Fact]
    public void EmbeddingLooksUpRowsAndAccumulatesRepeatedIds()
    {
        const int v = 4, d = 3;
        float[] table = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32];
        float[] tokens = [2, 0, 2, 3];
        float[] y = new float[tokens.Length * d];
        Embedding.Forward(tokens, table, y, tokens.Length, v, d);
        Assert.Equal([20f, 21, 22, 0, 1, 2, 20, 21, 22, 30, 31, 32], y);

        float[] dy = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        float[] dTable = new float[v * d];
        Array.Fill(dTable, 0.5f);
        Embedding.Backward(tokens, dy, dTable, tokens.Length, v, d);
        Assert.Equal([4.5f, 5.5f, 6.5f, 0.5f, 0.5f, 0.5f, 8.5f, 10.5f, 12.5f, 10.5f, 11.5f, 12.5f], dTable);
    }

    [Theory]
    [InlineData(4f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void InvalidTokenIdsThrowNamingRowAndValue(float bad)
    {
        float[] tokens = [1, 0, bad];
        float[] y = new float[9], before = (float[])y.Clone();
        var e = Assert.Throws<ArgumentException>(() => Embedding.Forward(tokens, new float[12], y, 3, 4, 3));
        Assert.Contains("row 2", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
        Assert.Equal(before, y); // validated before anything is written
        Assert.Throws<ArgumentException>(() => Embedding.ValidateTokens(tokens, 4));
        Assert.Throws<ArgumentException>(() => Embedding.Backward(tokens, new float[9], new float[12], 3, 4, 3));
        Embedding.ValidateTokens(tokens.AsSpan(0, 2), 4); // the valid prefix passes
    }

    [Fact]
    public void TransposesRoundTripAndPlaceElements()
    {
        const int b = 3, t = 4, n = 2;
        var rng = new Rng(3);
        float[] batchMajor = GemmTests.Random(rng, b * t * n), timeMajor = new float[b * t * n], back = new float[b * t * n];
        Sequences.ToTimeMajor(batchMajor, timeMajor, b, t, n);
        for (int ib = 0; ib < b; ib++)
            for (int it = 0; it < t; it++)
                for (int k = 0; k < n; k++)
                    Assert.Equal(batchMajor[(ib * t + it) * n + k], timeMajor[(it * b + ib) * n + k]);
        Sequences.ToBatchMajor(timeMajor, back, b, t, n);
        Assert.Equal(batchMajor, back);
    }

    [Fact]
    public void ConcatenateAndSplitAreInverses()
    {
        float[] a = [1, 2, 3, 4], bb = [10, 20, 30, 40, 50, 60], y = new float[10];
        Sequences.Concatenate(a, bb, y, 2, 2, 3);
        Assert.Equal([1f, 2, 10, 20, 30, 3, 4, 40, 50, 60], y);
        float[] a2 = new float[4], b2 = new float[6];
        Sequences.Split(y, a2, b2, 2, 2, 3);
        Assert.Equal(a, a2);
        Assert.Equal(bb, b2);
        Assert.Throws<ArgumentException>(() => Sequences.Concatenate(a, bb, new float[9], 2, 2, 3));
    }

    [Fact]
    public void SequenceDropoutUsesOneMaskForEveryStep()
    {
        const int t = 5, b = 4, n = 50;
        var rng = new Rng(11);
        float[] x = GemmTests.Random(rng, t * b * n), y = new float[t * b * n], mask = new float[b * n];
        Sequences.DropoutForward(x, y, mask, 0.4f, new Rng(5), t, b, n);
        int dropped = 0;
        foreach (float m in mask)
        {
            Assert.True(m == 0f || m == 1f / 0.6f, $"mask value {m}");
            if (m == 0f) dropped++;
        }
        Assert.InRange(dropped, 40, 120); // ≈ 80 of 200
        for (int it = 0; it < t; it++)
            for (int i = 0; i < b * n; i++)
                Assert.Equal(x[it * b * n + i] * mask[i], y[it * b * n + i]);

        float[] dy = Enumerable.Repeat(1f, t * b * n).ToArray();
        Sequences.DropoutBackward(mask, dy, t, b, n);
        for (int it = 0; it < t; it++)
            for (int i = 0; i < b * n; i++)
                Assert.Equal(mask[i], dy[it * b * n + i]);

        // Same generator state, same mask as DrawMask; rate 0 draws nothing.
        float[] drawn = new float[b * n];
        Sequences.DrawMask(drawn, 0.4f, new Rng(5));
        Assert.Equal(mask, drawn);
        var untouched = new Rng(8);
        Sequences.DropoutForward(x, y, mask, 0f, untouched, t, b, n);
        Assert.All(mask, m => Assert.Equal(1f, m));
        Assert.Equal(x, y);
        Assert.Equal(new Rng(8).NextUInt64(), untouched.NextUInt64());
        Assert.Throws<ArgumentOutOfRangeException>(() => Sequences.DrawMask(drawn, 1f, new Rng(1)));
    }
}
