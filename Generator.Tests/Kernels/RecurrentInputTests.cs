using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>The input side of a recurrent layer's backward pass against a float64 reference, including the one-pass
/// path for a single input feature (whose bias sums must equal <see cref="Bias.AccumulateRowSums"/>'s bit for bit).</summary>
public sealed class RecurrentInputTests
{
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (int inputs in new[] { 1, 3, 20 })
            foreach (int rows in new[] { 1, 7, 64 })
                foreach (int gates in new[] { 4, 24, 100, 256 })
                    data.Add(inputs, rows, gates);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Backward_accumulates_the_weight_and_bias_gradients(int inputs, int rows, int gates)
    {
        var rng = new Random(inputs * 10007 + rows * 101 + gates);
        float[] dPre = Values(rng, rows * gates), x = Values(rng, rows * inputs);
        float[] dW = Values(rng, gates * inputs), dB = Values(rng, gates);
        float[] dW0 = (float[])dW.Clone(), dB0 = (float[])dB.Clone();

        RecurrentInput.Backward(dPre, x, dW, dB, rows, gates, inputs);

        for (int j = 0; j < gates; j++)
        {
            double b = dB0[j];
            for (int r = 0; r < rows; r++) b += dPre[r * gates + j];
            Assert.True(Math.Abs(dB[j] - b) <= 1e-5 * (1 + rows), $"bias {j}: {dB[j]} vs {b}");
            for (int i = 0; i < inputs; i++)
            {
                double w = dW0[j * inputs + i];
                for (int r = 0; r < rows; r++) w += (double)dPre[r * gates + j] * x[r * inputs + i];
                Assert.True(Math.Abs(dW[j * inputs + i] - w) <= 1e-5 * (1 + rows), $"weight ({j}, {i}): {dW[j * inputs + i]} vs {w}");
            }
        }

        if (inputs == 1)
        {
            float[] expected = (float[])dB0.Clone();
            Bias.AccumulateRowSums(dPre, expected, rows, gates);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), dB.Select(BitConverter.SingleToInt32Bits));
        }
    }

    private static float[] Values(Random rng, int count) =>
        Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
}
