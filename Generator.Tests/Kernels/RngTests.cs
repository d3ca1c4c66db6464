using Xunit;

namespace ModelGen.Tests.Kernels;

public class RngTests
{
    [Fact]
    public void SameSeedSameSequenceAndReseedRestarts()
    {
        var a = new Rng(123);
        var b = new Rng(123);
        var first = new ulong[100];
        for (int i = 0; i < 100; i++)
        {
            first[i] = a.NextUInt64();
            Assert.Equal(first[i], b.NextUInt64());
        }
        a.Reseed(123);
        for (int i = 0; i < 100; i++) Assert.Equal(first[i], a.NextUInt64());
    }

    [Fact]
    public void KnownFirstValueForSeedZero()
    {
        // Pins the algorithm (SplitMix64 seeding + xoshiro256**) so a change in the sequence is noticed:
        // a reference implementation of xoshiro256** seeded by SplitMix64(0) starts with this value.
        Assert.Equal(0x99EC5F36CB75F2B4UL, new Rng(0).NextUInt64());
    }

    [Fact]
    public void DifferentSeedsDiffer()
    {
        var a = new Rng(1);
        var b = new Rng(2);
        int equal = 0;
        for (int i = 0; i < 100; i++) if (a.NextUInt64() == b.NextUInt64()) equal++;
        Assert.Equal(0, equal);
    }

    [Fact]
    public void UniformsStayInRange()
    {
        var rng = new Rng(5);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            float f = rng.NextFloat();
            Assert.InRange(f, 0f, 0.99999994f);
            double d = rng.NextDouble();
            Assert.True(d >= 0 && d < 1);
            int n = rng.NextInt(7);
            Assert.InRange(n, 0, 6);
            sum += f;
        }
        Assert.InRange(sum / 100_000, 0.49, 0.51);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void GaussianHasUnitMoments()
    {
        var rng = new Rng(11);
        const int count = 100_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < count; i++)
        {
            double g = rng.NextGaussian();
            sum += g;
            sumSq += g * g;
        }
        double mean = sum / count;
        double std = Math.Sqrt(sumSq / count - mean * mean);
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(std, 0.98, 1.02);
    }

    [Fact]
    public void ShuffleIsAPermutationAndDeterministic()
    {
        int[] items = new int[50], again = new int[50];
        for (int i = 0; i < 50; i++) items[i] = again[i] = i;
        new Rng(3).Shuffle(items);
        new Rng(3).Shuffle(again);
        Assert.Equal(items, again);
        Assert.NotEqual(Enumerable.Range(0, 50), items);
        Assert.Equal(Enumerable.Range(0, 50), items.Order());
    }
}

public class InitializerTests
{
    private static (double Min, double Max, double Std) Stats(float[] w)
    {
        double sum = 0, sumSq = 0, min = double.MaxValue, max = double.MinValue;
        foreach (float v in w) { sum += v; sumSq += (double)v * v; min = Math.Min(min, v); max = Math.Max(max, v); }
        double mean = sum / w.Length;
        return (min, max, Math.Sqrt(sumSq / w.Length - mean * mean));
    }

    [Fact]
    public void UniformSchemesRespectBoundsAndStd()
    {
        var w = new float[50_000];
        Initializers.GlorotUniform(w, 300, 100, new Rng(1));
        double limit = Math.Sqrt(6.0 / 400);
        var s = Stats(w);
        Assert.True(s.Min >= -limit && s.Max <= limit);
        Assert.Equal(limit / Math.Sqrt(3), s.Std, limit * 0.02); // std of U(−l, l) is l/√3

        Initializers.HeUniform(w, 64, new Rng(2));
        limit = Math.Sqrt(6.0 / 64);
        s = Stats(w);
        Assert.True(s.Min >= -limit && s.Max <= limit);
        Assert.True(s.Max > 0.99 * limit); // actually fills the range
        Assert.Equal(limit / Math.Sqrt(3), s.Std, limit * 0.02);

        Initializers.Uniform(w, 0.5f, new Rng(3));
        s = Stats(w);
        Assert.True(s.Min >= -0.5 && s.Max <= 0.5);
    }

    [Fact]
    public void NormalSchemesHaveTheoreticalStd()
    {
        var w = new float[50_000];
        Initializers.GlorotNormal(w, 300, 100, new Rng(4));
        double std = Math.Sqrt(2.0 / 400);
        Assert.Equal(std, Stats(w).Std, std * 0.03);

        Initializers.HeNormal(w, 64, new Rng(5));
        std = Math.Sqrt(2.0 / 64);
        Assert.Equal(std, Stats(w).Std, std * 0.03);
    }

    [Fact]
    public void SameSeedSameWeights()
    {
        float[] a = new float[100], b = new float[100];
        Initializers.HeNormal(a, 10, new Rng(77));
        Initializers.HeNormal(b, 10, new Rng(77));
        Assert.Equal(a, b);
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.HeUniform(a, 0, new Rng(1)));
    }
}
