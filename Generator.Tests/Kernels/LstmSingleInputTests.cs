using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// <see cref="Lstm.ForwardSingleInput"/> (each step's projection formed inside the time loop) against the projection of
/// all steps first and <see cref="Lstm.Forward"/>: the same bits at every vector width, in both directions, with
/// peepholes, coupled gates and a recurrent mask, at batch 1 (the fused step) and with tails (H not a multiple of 4).
/// </summary>
[Collection(nameof(CellPathCollection))]
public sealed class LstmSingleInputTests
{
    public static TheoryData<int, int, int, int, bool, bool, bool, bool> Cases()
    {
        var data = new TheoryData<int, int, int, int, bool, bool, bool, bool>();
        foreach (int width in new[] { 512, 256, 1 })
        {
            data.Add(width, 50, 32, 64, false, false, false, false); // W4's shape
            data.Add(width, 7, 1, 32, false, false, false, false);   // batch 1: the fused step
            data.Add(width, 3, 2, 5, true, false, true, false);      // peepholes, reverse, tails
            data.Add(width, 6, 3, 12, false, true, false, true);     // coupled gates, recurrent mask
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Equals_projecting_every_step_first(int width, int steps, int batch, int h, bool peepholes, bool coupled, bool reverse, bool masked) =>
        CellPathCollection.WithWidth(width, () =>
        {
            var rng = new Rng((ulong)(steps * 1000 + batch * 100 + h));
            int g = Lstm.GateCount(h, coupled), rows = steps * batch;
            float[] x = Values(rng, rows), wih = Values(rng, g), bih = Values(rng, g), whh = Values(rng, g * h), bhh = Values(rng, g);
            float[] peep = Values(rng, Lstm.PeepholeCount(h, coupled)), h0 = Values(rng, batch * h), c0 = Values(rng, batch * h);
            float[] mask = masked ? Enumerable.Range(0, batch * h).Select(i => i % 3 == 0 ? 0f : 1.5f).ToArray() : [];

            float[] gates = new float[rows * g], cells = new float[rows * h], hidden = new float[rows * h];
            RecurrentInput.Forward(x, wih, bih, gates, rows, g, 1);
            Lstm.Forward(gates, whh, bhh, peep, h0, c0, gates, cells, hidden, steps, batch, h, peepholes, coupled, reverse, mask);

            float[] gates2 = new float[rows * g], cells2 = new float[rows * h], hidden2 = new float[rows * h];
            Lstm.ForwardSingleInput(x, wih, bih, whh, bhh, peep, h0, c0, gates2, cells2, hidden2, steps, batch, h, peepholes, coupled, reverse, mask);

            Assert.Equal(Bits(gates), Bits(gates2));
            Assert.Equal(Bits(cells), Bits(cells2));
            Assert.Equal(Bits(hidden), Bits(hidden2));
            return 0;
        });

    [Fact]
    public void A_short_input_is_refused_before_anything_is_written()
    {
        float[] gates = Enumerable.Repeat(7f, 2 * 3 * 8).ToArray(), cells = new float[2 * 3 * 2], hidden = new float[2 * 3 * 2];
        var e = Assert.Throws<ArgumentException>(() => Lstm.ForwardSingleInput(new float[5], new float[8], new float[8], new float[16], new float[8], default,
            new float[6], new float[6], gates, cells, hidden, 2, 3, 2, false, false, false, default));
        Assert.Contains("x", e.Message);
        Assert.All(gates, v => Assert.Equal(7f, v));
    }

    private static float[] Values(Rng rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextFloat() * 2 - 1).ToArray();

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
