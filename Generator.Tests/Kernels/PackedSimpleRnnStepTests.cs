using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The streaming simple-RNN step on W_hh packed in × out (a predictor's) against the model kernel's step: the same
/// state to rounding over several steps, for each activation, one input or several; and clear refusals.
/// </summary>
public sealed class PackedSimpleRnnStepTests
{
    [Theory]
    [InlineData(40, 1, Activation.Tanh)]
    [InlineData(128, 3, Activation.ReLU)]
    [InlineData(17, 2, Activation.Sigmoid)]
    [InlineData(64, 1, Activation.Identity)]
    public void Follows_the_unpacked_step(int h, int inputs, Activation activation)
    {
        var rng = new Rng((ulong)(h * 41 + inputs));
        float[] wih = Scaled(rng, h * inputs), bih = Scaled(rng, h), whh = Scaled(rng, h * h), bhh = Scaled(rng, h);
        float[] hA = Scaled(rng, h), hB = (float[])hA.Clone();
        var packed = new float[SimpleRnn.PackedLength(h)];
        SimpleRnn.PackRecurrent(whh, packed, h);
        if (!SimpleRnn.PackedStepSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => SimpleRnn.StepPacked(new float[inputs], wih, bih, packed, bhh, hB, new float[h], inputs, h, activation));
            return;
        }

        for (int t = 0; t < 6; t++)
        {
            float[] x = Scaled(rng, inputs), pre = new float[h], next = new float[h];
            RecurrentInput.Forward(x, wih, bih, pre, 1, h, inputs);
            SimpleRnn.Forward(pre, whh, bhh, hA, next, 1, 1, h, activation, reverse: false, recurrentMask: default);
            next.CopyTo(hA, 0);
            SimpleRnn.StepPacked(x, wih, bih, packed, bhh, hB, new float[h], inputs, h, activation);
            for (int u = 0; u < h; u++)
                Assert.True(Math.Abs(hA[u] - hB[u]) <= 1e-5f * (1 + Math.Abs(hA[u])), $"step {t}, h[{u}]: {hB[u]:R} vs {hA[u]:R}");
        }
    }

    [Fact]
    public void Short_spans_and_other_activations_are_refused_before_the_state_changes()
    {
        const int h = 32;
        float[] state = Enumerable.Repeat(0.5f, h).ToArray();
        var packed = new float[SimpleRnn.PackedLength(h)];
        Assert.Throws<ArgumentException>(() => SimpleRnn.StepPacked(new float[1], new float[h], new float[h], packed, new float[h], state, new float[h], 1, h, Activation.Softmax));
        if (SimpleRnn.PackedStepSupported)
        {
            Assert.Throws<ArgumentException>(() => SimpleRnn.StepPacked(new float[1], new float[h], new float[h], packed.AsSpan(1).ToArray(), new float[h], state, new float[h], 1, h, Activation.Tanh));
            Assert.Throws<ArgumentException>(() => SimpleRnn.StepPacked(new float[1], new float[h], new float[h], packed, new float[h], state, new float[h - 1], 1, h, Activation.Tanh));
        }
        Assert.All(state, v => Assert.Equal(0.5f, v));
    }

    private static float[] Scaled(Rng rng, int n)
    {
        var values = GemmTests.Random(rng, n);
        for (int i = 0; i < n; i++) values[i] *= 0.3f;
        return values;
    }
}
