using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The streaming LSTM step on block-packed W_hh (a predictor's) against the model kernel's step: the same state to
/// rounding over several steps, with the projection formed in registers (one input) or through pre (several), the
/// state updated in place, at both vector widths (the narrower forced through <see cref="CellPath.Forced"/>); the
/// packing's layout; and clear refusals.
/// </summary>
[Collection(nameof(CellPathCollection))]
public sealed class PackedLstmStepTests
{
    [Theory]
    [InlineData(2, 1, 512)]
    [InlineData(24, 2, 512)]
    [InlineData(20, 1, 512)]
    [InlineData(50, 3, 512)]
    [InlineData(100, 1, 512)]
    [InlineData(32, 1, 512)]
    [InlineData(64, 2, 512)]
    [InlineData(96, 1, 512)]
    [InlineData(128, 1, 512)]
    [InlineData(128, 3, 512)]
    [InlineData(160, 1, 512)]
    [InlineData(256, 5, 512)]
    [InlineData(20, 1, 256)]
    [InlineData(50, 2, 256)]
    [InlineData(32, 1, 256)]
    [InlineData(96, 3, 256)]
    [InlineData(128, 1, 256)]
    [InlineData(160, 3, 256)]
    public void Follows_the_unpacked_step(int h, int inputs, int width)
        => CellPathCollection.WithWidth(width, () => FollowsTheUnpackedStep(h, inputs));

    private static void FollowsTheUnpackedStep(int h, int inputs)
    {
        int g = 4 * h;
        var rng = new Rng((ulong)(h * 31 + inputs));
        float[] wih = Scaled(rng, g * inputs), bih = Scaled(rng, g), whh = Scaled(rng, g * h), bhh = Scaled(rng, g);
        float[] hA = Scaled(rng, h), cA = Scaled(rng, h);
        float[] hB = (float[])hA.Clone(), cB = (float[])cA.Clone();
        var packed = new float[Lstm.PackedLength(h)];
        Lstm.PackRecurrent(whh, packed, h);
        if (!Lstm.PackedStepSupported(h, peepholes: false, coupled: false))
        {
            Assert.Throws<NotSupportedException>(() => Lstm.StepPacked(new float[inputs], wih, bih, packed, bhh, hB, cB, new float[g], inputs, h));
            return;
        }

        for (int t = 0; t < 6; t++)
        {
            float[] x = Scaled(rng, inputs);
            Lstm.Step(x, wih, bih, whh, bhh, default, hA, cA, new float[g], new float[g], 1, inputs, h, peepholes: false, coupled: false);
            Lstm.StepPacked(x, wih, bih, packed, bhh, hB, cB, new float[g], inputs, h);
            for (int u = 0; u < h; u++)
            {
                Assert.True(Math.Abs(hA[u] - hB[u]) <= 1e-5f, $"step {t}, h[{u}]: {hB[u]:R} vs {hA[u]:R}");
                Assert.True(Math.Abs(cA[u] - cB[u]) <= 1e-5f * (1 + Math.Abs(cA[u])), $"step {t}, c[{u}]: {cB[u]:R} vs {cA[u]:R}");
            }
        }
    }

    [Fact]
    public void Pack_puts_each_blocks_four_gates_on_one_row()
    {
        const int h = 64;
        var whh = new float[4 * h * h];
        for (int i = 0; i < whh.Length; i++) whh[i] = i;
        var packed = new float[Lstm.PackedLength(h)];
        Lstm.PackRecurrent(whh, packed, h, blockUnits: 32);
        // Blocks of 32 units: block 1 (units 32 … 63), row j = 5, gate f (q = 1), unit 32 + 7: W_hh[(1·64 + 39), 5].
        Assert.Equal(whh[(((1 * h) + 39) * h) + 5], packed[(((1 * h) + 5) * 128) + 32 + 7]);
        Lstm.PackRecurrent(whh, packed, h, blockUnits: 16);
        // Blocks of 16 units: block 2 (units 32 … 47), row j = 5, gate g (q = 2), unit 32 + 7: W_hh[(2·64 + 39), 5].
        Assert.Equal(whh[(((2 * h) + 39) * h) + 5], packed[(((2 * h) + 5) * 64) + 32 + 7]);
        Assert.Equal(RecurrentPacking.BlockUnits, Vector512.IsHardwareAccelerated ? 32 : 16);
        Assert.Throws<ArgumentException>(() => Lstm.PackRecurrent(new float[4], new float[4], 0));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(4, 20)]
    [InlineData(4, 33)]
    [InlineData(2, 64)]
    public void Gate_vectors_are_laid_out_for_the_padded_units(int gates, int h)
    {
        int p = RecurrentPacking.PaddedUnits(h);
        Assert.Equal(0, p % 32);
        Assert.True(p >= h && p < h + 32);
        var source = new float[gates * h];
        for (int i = 0; i < source.Length; i++) source[i] = i + 1;
        var padded = Enumerable.Repeat(float.NaN, gates * p).ToArray();
        RecurrentPacking.PadGates(source, padded, gates, h);
        for (int q = 0; q < gates; q++)
            for (int u = 0; u < p; u++)
                Assert.Equal(u < h ? source[(q * h) + u] : 0f, padded[(q * p) + u]);
        Assert.Throws<ArgumentException>(() => RecurrentPacking.PadGates(source, new float[(gates * p) - 1], gates, h));
    }

    [Fact]
    public void Pack_pads_the_units_to_a_multiple_of_32_with_zero_weights()
    {
        const int h = 40; // two blocks of 32 units: 24 padding units in the second
        var whh = new float[4 * h * h];
        for (int i = 0; i < whh.Length; i++) whh[i] = i + 1;
        Assert.Equal(4 * 64 * h, Lstm.PackedLength(h));
        var packed = new float[Lstm.PackedLength(h)];
        Lstm.PackRecurrent(whh, packed, h, blockUnits: 32);
        // Block 1, row j = 5, gate o (q = 3): unit 32 + 7 = 39 is W_hh[(3·40 + 39), 5]; unit 32 + 8 = 40 is padding.
        Assert.Equal(whh[(((3 * h) + 39) * h) + 5], packed[(((1 * h) + 5) * 128) + (32 * 3) + 7]);
        Assert.Equal(0f, packed[(((1 * h) + 5) * 128) + (32 * 3) + 8]);
        Assert.Equal(24 * 4 * h, packed.Count(v => v == 0f));
        Assert.Throws<ArgumentException>(() => Lstm.PackRecurrent(whh, new float[(4 * h * h) + 1], h)); // too short for the padding
    }

    [Fact]
    public void Refused_layers_and_short_spans_throw_before_the_state_changes()
    {
        Assert.False(Lstm.PackedStepSupported(0, peepholes: false, coupled: false));
        // Where the model's own step runs whole vectors with half the padded step's work: H = 1 and odd multiples of 16.
        Assert.False(Lstm.PackedStepSupported(1, peepholes: false, coupled: false));
        Assert.False(Lstm.PackedStepSupported(16, peepholes: false, coupled: false));
        Assert.False(Lstm.PackedStepSupported(48, peepholes: false, coupled: false));
        Assert.False(Lstm.PackedStepSupported(128, peepholes: true, coupled: false));
        Assert.False(Lstm.PackedStepSupported(128, peepholes: false, coupled: true));
        const int h = 128, g = 4 * h;
        float[] state = Enumerable.Repeat(0.5f, h).ToArray(), cell = Enumerable.Repeat(0.25f, h).ToArray();
        Assert.Throws<NotSupportedException>(() => Lstm.StepPacked(new float[1], new float[4 * 48], new float[4 * 48], new float[4 * 64 * 48], new float[4 * 48], state, cell, new float[4 * 48], 1, 0));
        if (Lstm.PackedStepSupported(h, false, false))
            Assert.Throws<ArgumentException>(() => Lstm.StepPacked(new float[1], new float[g], new float[g], new float[(g * h) - 1], new float[g], state, cell, new float[g], 1, h));
        Assert.All(state, v => Assert.Equal(0.5f, v));
        Assert.All(cell, v => Assert.Equal(0.25f, v));

        // H = 50: a W_hh packed without the padding is too short.
        const int odd = 50;
        float[] oddState = Enumerable.Repeat(0.5f, odd).ToArray(), oddCell = Enumerable.Repeat(0.25f, odd).ToArray();
        if (Lstm.PackedStepSupported(odd, false, false))
            Assert.Throws<ArgumentException>(() => Lstm.StepPacked(new float[1], new float[4 * odd], new float[4 * odd], new float[4 * odd * odd], new float[4 * odd], oddState, oddCell, new float[4 * odd], 1, odd));
        Assert.All(oddState, v => Assert.Equal(0.5f, v));
        Assert.All(oddCell, v => Assert.Equal(0.25f, v));
    }

    private static float[] Scaled(Rng rng, int n)
    {
        var values = GemmTests.Random(rng, n);
        for (int i = 0; i < n; i++) values[i] *= 0.3f;
        return values;
    }
}
