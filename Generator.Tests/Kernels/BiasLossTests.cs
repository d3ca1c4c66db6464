using ModelGen.Kernels;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Kernels;

public class BiasTests
{
    [Fact]
    public void AddRowsBroadcastsOverRows()
    {
        float[] y = [1, 2, 3, 4, 5, 6, 99];
        Bias.AddRows(y, [10f, 20f, 30f], 2, 3);
        Assert.Equal([11f, 22f, 33f, 14f, 25f, 36f, 99f], y);
    }

    [Fact]
    public void AccumulateRowSumsAddsColumnSums()
    {
        float[] g = [1f, 1f, 1f];
        Bias.AccumulateRowSums([1, 2, 3, 4, 5, 6], g, 2, 3);
        Assert.Equal([6f, 8f, 10f], g);
    }

    [Fact]
    public void RowSumsOverwriteWithTheBitsOfAccumulatingIntoZeros()
    {
        var dy = TestData.Uniform(7 * 37, 3);
        float[] accumulated = new float[37], written = Enumerable.Repeat(123f, 37).ToArray();
        Bias.AccumulateRowSums(dy, accumulated, 7, 37);
        Bias.RowSums(dy, written, 7, 37);
        Assert.Equal(accumulated, written);

        Bias.RowSums(dy, written, 0, 37); // no rows: zero sums
        Assert.All(written, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ShortSpansThrow()
    {
        Assert.Throws<ArgumentException>(() => Bias.AddRows(new float[5], new float[3], 2, 3));
        Assert.Throws<ArgumentException>(() => Bias.AccumulateRowSums(new float[6], new float[2], 2, 3));
        Assert.Throws<ArgumentException>(() => Bias.RowSums(new float[5], new float[3], 2, 3));
    }
}

public class LossTests
{
    [Fact]
    public void SoftmaxCrossEntropyHandComputed()
    {
        float[] probs = [0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f];
        float[] targets = [1, 0, 0, 0, 1, 0];
        float[] grad = new float[6];
        float loss = Losses.SoftmaxCrossEntropy(probs, targets, grad, 2, 3);
        Assert.Equal((-Math.Log(0.7) - Math.Log(0.1)) / 2, loss, 1e-6);
        float[] expected = [-0.15f, 0.1f, 0.05f, 0.05f, -0.45f, 0.4f];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], grad[i], 1e-6);
    }

    [Fact]
    public void SoftmaxCrossEntropySingleRowAndClamp()
    {
        float[] grad = new float[3];
        float loss = Losses.SoftmaxCrossEntropy([0.7f, 0.2f, 0.1f], [1f, 0f, 0f], grad, 1, 3);
        Assert.Equal(-Math.Log(0.7), loss, 1e-6);
        Assert.Equal(-0.3f, grad[0], 1e-6);
        Assert.Equal(0.2f, grad[1], 1e-6);
        Assert.Equal(0.1f, grad[2], 1e-6);

        loss = Losses.SoftmaxCrossEntropy([0f, 1f], [1f, 0f], new float[2], 1, 2);
        Assert.Equal(-Math.Log(1e-12), loss, 1e-3); // clamped, finite
    }

    [Fact]
    public void MeanSquaredErrorHandComputed()
    {
        float[] grad = new float[4];
        float loss = Losses.MeanSquaredError([1f, 2f, 3f, 4f], [1f, 0f, 4f, 4f], grad, 2, 2);
        Assert.Equal((0 + 4 + 1 + 0) / 4.0, loss, 1e-6);
        Assert.Equal([0f, 1f, -0.5f, 0f], grad);
    }

    [Fact]
    public void MeanSquaredErrorGradientMatchesCentralDifferences()
    {
        var rng = new Rng(9);
        const int rows = 3, cols = 5;
        float[] p = GemmTests.Random(rng, rows * cols), y = GemmTests.Random(rng, rows * cols);
        float[] grad = new float[rows * cols], scratch = new float[rows * cols];
        Losses.MeanSquaredError(p, y, grad, rows, cols);
        const float h = 1e-3f;
        for (int i = 0; i < p.Length; i++)
        {
            float keep = p[i];
            p[i] = keep + h;
            double up = Losses.MeanSquaredError(p, y, scratch, rows, cols);
            p[i] = keep - h;
            double down = Losses.MeanSquaredError(p, y, scratch, rows, cols);
            p[i] = keep;
            double numeric = (up - down) / ((double)(keep + h) - (keep - h));
            Assert.True(Math.Abs(numeric - grad[i]) < 1e-3, $"[{i}] numeric {numeric}, analytic {grad[i]}");
        }
    }

    [Fact]
    public void ShortSpansThrow()
    {
        Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError(new float[5], new float[6], new float[6], 2, 3));
        Assert.Throws<ArgumentException>(() => Losses.SoftmaxCrossEntropy(new float[6], new float[6], new float[5], 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.MeanSquaredError([], [], [], 0, 3));
    }
}
