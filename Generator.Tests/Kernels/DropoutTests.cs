using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class DropoutTests
{
    [Fact]
    public void MaskHasOnlyZeroOrScaleAndKeepsAboutOneMinusRate()
    {
        const int count = 100_000;
        const float rate = 0.3f;
        float[] x = new float[count], y = new float[count], mask = new float[count];
        Array.Fill(x, 2f);
        Dropout.Forward(x, y, mask, rate, new Rng(42));
        float scale = 1f / (1f - rate);
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == scale, $"mask[{i}] = {mask[i]}");
            Assert.Equal(x[i] * mask[i], y[i]);
            if (mask[i] != 0f) kept++;
        }
        // Binomial std ≈ sqrt(n p (1 − p)) ≈ 145 units; allow ~5σ.
        Assert.InRange(kept / (double)count, 0.7 - 0.007, 0.7 + 0.007);
    }

    [Fact]
    public void SameSeedSameMask()
    {
        float[] x = new float[1000], y = new float[1000], m1 = new float[1000], m2 = new float[1000];
        Dropout.Forward(x, y, m1, 0.5f, new Rng(7));
        Dropout.Forward(x, y, m2, 0.5f, new Rng(7));
        Assert.Equal(m1, m2);
        Dropout.Forward(x, y, m2, 0.5f, new Rng(8));
        Assert.NotEqual(m1, m2);
    }

    [Fact]
    public void RateZeroKeepsEverything()
    {
        float[] x = [1f, -2f, 3f], y = new float[3], mask = new float[3];
        Dropout.Forward(x, y, mask, 0f, new Rng(1));
        Assert.Equal([1f, 1f, 1f], mask);
        Assert.Equal(x, y);
    }

    [Fact]
    public void BackwardAppliesMask()
    {
        float[] dx = new float[4];
        Dropout.Backward([0f, 2f, 2f, 0f], [1f, 2f, 3f, 4f], dx);
        Assert.Equal([0f, 4f, 6f, 0f], dx);
    }

    [Fact]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Dropout.Forward(new float[2], new float[2], new float[2], 1f, new Rng(1)));
        Assert.Throws<ArgumentException>(() => Dropout.Forward(new float[2], new float[1], new float[2], 0.5f, new Rng(1)));
        Assert.Throws<ArgumentException>(() => Dropout.Backward(new float[2], new float[2], new float[3]));
    }
}
