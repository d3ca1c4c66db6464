using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The streaming GRU step on block-packed W_hh (a predictor's) against the model kernel's step (reset-after cell):
/// the same state to rounding over several steps, with the projection formed in registers (one input) or through pre
/// (several), the state updated in place, at both vector widths; the packing's layout; and clear refusals.
/// </summary>
[Collection(nameof(CellPathCollection))]
public sealed class PackedGruStepTests
{
    [Theory]
    [InlineData(2, 1, 512)]
    [InlineData(20, 2, 512)]
    [InlineData(50, 1, 512)]
    [InlineData(100, 3, 512)]
    [InlineData(32, 1, 512)]
    [InlineData(64, 2, 512)]
    [InlineData(96, 1, 512)]
    [InlineData(128, 1, 512)]
    [InlineData(160, 3, 512)]
    [InlineData(256, 1, 512)]
    [InlineData(20, 1, 256)]
    [InlineData(50, 2, 256)]
    [InlineData(32, 1, 256)]
    [InlineData(96, 3, 256)]
    [InlineData(128, 1, 256)]
    [InlineData(160, 4, 256)]
    public void Follows_the_unpacked_step(int h, int inputs, int width)
        => CellPathCollection.WithWidth(width, () => FollowsTheUnpackedStep(h, inputs));

    private static void FollowsTheUnpackedStep(int h, int inputs)
    {
        int g = 3 * h;
        var rng = new Rng((ulong)(h * 37 + inputs));
        float[] wih = Scaled(rng, g * inputs), bih = Scaled(rng, g), whh = Scaled(rng, g * h), bhh = Scaled(rng, g);
        float[] hA = Scaled(rng, h), hB = (float[])hA.Clone();
        var packed = new float[Gru.PackedLength(h)];
        Gru.PackRecurrent(whh, packed, h);
        if (!Gru.PackedStepSupported(h, resetAfter: true))
        {
            Assert.Throws<NotSupportedException>(() => Gru.StepPacked(new float[inputs], wih, bih, packed, bhh, hB, new float[g], inputs, h));
            return;
        }

        for (int t = 0; t < 6; t++)
        {
            float[] x = Scaled(rng, inputs), pre = new float[g], next = new float[h];
            RecurrentInput.Forward(x, wih, bih, pre, 1, g, inputs);
            Gru.Forward(pre, whh, bhh, hA, new float[Gru.GatesLength(1, 1, h)], next, new float[Gru.WorkspaceLength(1, h)], 1, 1, h,
                resetAfter: true, reverse: false, recurrentMask: default);
            next.CopyTo(hA, 0);
            Gru.StepPacked(x, wih, bih, packed, bhh, hB, new float[g], inputs, h);
            for (int u = 0; u < h; u++)
                Assert.True(Math.Abs(hA[u] - hB[u]) <= 1e-5f, $"step {t}, h[{u}]: {hB[u]:R} vs {hA[u]:R}");
        }
    }

    [Fact]
    public void Pack_puts_each_blocks_three_gates_on_one_row()
    {
        const int h = 64;
        var whh = new float[3 * h * h];
        for (int i = 0; i < whh.Length; i++) whh[i] = i;
        var packed = new float[Gru.PackedLength(h)];
        Gru.PackRecurrent(whh, packed, h, blockUnits: 32);
        // Blocks of 32 units: block 1 (units 32 … 63), row j = 5, gate z (q = 1), unit 32 + 7: W_hh[(1·64 + 39), 5].
        Assert.Equal(whh[(((1 * h) + 39) * h) + 5], packed[(((1 * h) + 5) * 96) + 32 + 7]);
        Gru.PackRecurrent(whh, packed, h, blockUnits: 16);
        // Blocks of 16 units: block 2 (units 32 … 47), row j = 5, gate n (q = 2), unit 32 + 7: W_hh[(2·64 + 39), 5].
        Assert.Equal(whh[(((2 * h) + 39) * h) + 5], packed[(((2 * h) + 5) * 48) + 32 + 7]);
        Assert.Throws<ArgumentException>(() => Gru.PackRecurrent(new float[3], new float[3], 0));
        // H = 48: the second block's units 48 … 63 are padding (zero weights).
        var narrow = new float[3 * 48 * 48];
        for (int i = 0; i < narrow.Length; i++) narrow[i] = i + 1;
        Assert.Equal(3 * 64 * 48, Gru.PackedLength(48));
        var padded = new float[Gru.PackedLength(48)];
        Gru.PackRecurrent(narrow, padded, 48, blockUnits: 32);
        Assert.Equal(narrow[(((2 * 48) + 47) * 48) + 3], padded[(((1 * 48) + 3) * 96) + 64 + 15]);
        Assert.Equal(0f, padded[(((1 * 48) + 3) * 96) + 64 + 16]);
        Assert.Equal(16 * 3 * 48, padded.Count(v => v == 0f));
    }

    [Fact]
    public void Refused_layers_and_short_spans_throw_before_the_state_changes()
    {
        Assert.False(Gru.PackedStepSupported(0, resetAfter: true));
        Assert.False(Gru.PackedStepSupported(1, resetAfter: true));
        Assert.False(Gru.PackedStepSupported(16, resetAfter: true));
        Assert.False(Gru.PackedStepSupported(48, resetAfter: true));
        Assert.False(Gru.PackedStepSupported(128, resetAfter: false));
        const int h = 128, g = 3 * h;
        float[] state = Enumerable.Repeat(0.5f, h).ToArray();
        Assert.Throws<NotSupportedException>(() => Gru.StepPacked(new float[1], new float[3 * 48], new float[3 * 48], new float[3 * 64 * 48], new float[3 * 48], state, new float[3 * 48], 1, 0));
        if (Gru.PackedStepSupported(h, resetAfter: true))
        {
            Assert.Throws<ArgumentException>(() => Gru.StepPacked(new float[1], new float[g], new float[g], new float[(g * h) - 1], new float[g], state, new float[g], 1, h));
            Assert.Throws<ArgumentException>(() => Gru.StepPacked(new float[1], new float[g], new float[g], new float[g * h], new float[g], state.AsSpan(0, h - 1).ToArray(), new float[g], 1, h));
        }
        Assert.All(state, v => Assert.Equal(0.5f, v));

        // H = 50: a W_hh packed without the padding is too short.
        const int odd = 50;
        float[] oddState = Enumerable.Repeat(0.5f, odd).ToArray();
        if (Gru.PackedStepSupported(odd, resetAfter: true))
            Assert.Throws<ArgumentException>(() => Gru.StepPacked(new float[1], new float[3 * odd], new float[3 * odd], new float[3 * odd * odd], new float[3 * odd], oddState, new float[3 * odd], 1, odd));
        Assert.All(oddState, v => Assert.Equal(0.5f, v));
    }

    private static float[] Scaled(Rng rng, int n)
    {
        var values = GemmTests.Random(rng, n);
        for (int i = 0; i < n; i++) values[i] *= 0.3f;
        return values;
    }
}
