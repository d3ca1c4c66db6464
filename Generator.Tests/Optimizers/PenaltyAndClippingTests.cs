using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class PenaltyAndClippingTests
{
    [Fact]
    public void WeightDecay_AddsAlphaTheta()
    {
        // α = 0.1: g ← g + 0.1θ = (0.5 + 0.2, 0.5 − 0.4) = (0.7, 0.1); ε = 1: θ = (2 − 0.7, −4 − 0.1) = (1.3, −4.1)
        var sgd = new Sgd(1f) { WeightDecay = 0.1f };
        float[] theta = [2f, -4f];
        float[] g = [0.5f, 0.5f];

        sgd.Step(theta, g);

        Assertions.Near([0.7f, 0.1f], g);
        Assertions.Near([1.3f, -4.1f], theta);
    }

    [Fact]
    public void L1_AddsAlphaSignTheta_ZeroAtZero()
    {
        // α = 0.1: g ← g + 0.1·sign(θ) = (0.5 + 0.1, 0.5 − 0.1, 0.5 + 0) = (0.6, 0.4, 0.5)
        // ε = 1: θ = (2 − 0.6, −4 − 0.4, 0 − 0.5) = (1.4, −4.4, −0.5)
        var sgd = new Sgd(1f) { L1 = 0.1f };
        float[] theta = [2f, -4f, 0f];
        float[] g = [0.5f, 0.5f, 0.5f];

        sgd.Step(theta, g);

        Assertions.Near([0.6f, 0.4f, 0.5f], g);
        Assertions.Near([1.4f, -4.4f, -0.5f], theta);
    }

    [Fact]
    public void ClipValue_ClampsEachElement()
    {
        // v = 1: (3, −0.5, −2) → (1, −0.5, −1); ε = 0.1: θ = 0 − 0.1·g = (−0.1, 0.05, 0.1)
        var sgd = new Sgd(0.1f) { ClipValue = 1f };
        float[] theta = [0f, 0f, 0f];
        float[] g = [3f, -0.5f, -2f];

        sgd.Step(theta, g);

        Assertions.Near([1f, -0.5f, -1f], g);
        Assertions.Near([-0.1f, 0.05f, 0.1f], theta);
    }

    [Fact]
    public void ClipNorm_RescalesToThreshold()
    {
        // ‖(3, 4)‖ = 5 > 1 → (3, 4)/5 = (0.6, 0.8); ε = 1: θ = (−0.6, −0.8)
        var sgd = new Sgd(1f) { ClipNorm = 1f };
        float[] theta = [0f, 0f];
        float[] g = [3f, 4f];

        sgd.Step(theta, g);

        Assertions.Near([0.6f, 0.8f], g);
        Assertions.Near([-0.6f, -0.8f], theta);
    }

    [Fact]
    public void ClipNorm_BelowThresholdLeavesGradientUnchanged()
    {
        // ‖(3, 4)‖ = 5 ≤ 10: unchanged
        var sgd = new Sgd(1f) { ClipNorm = 10f };
        float[] theta = [0f, 0f];
        float[] g = [3f, 4f];

        sgd.Step(theta, g);

        Assert.Equal([3f, 4f], g);
        Assertions.Near([-3f, -4f], theta);
    }

    [Fact]
    public void PenaltiesAreAddedBeforeClipping()
    {
        // θ = (10, 0), α = 0.1: g = (2, 4) + (1, 0) = (3, 4); then ClipNorm 1 → (0.6, 0.8).
        // (Clipping first would give (2, 4)/√20 + (1, 0) = (1.447, 0.894).)
        var sgd = new Sgd(1f) { WeightDecay = 0.1f, ClipNorm = 1f };
        float[] theta = [10f, 0f];
        float[] g = [2f, 4f];

        sgd.Step(theta, g);

        Assertions.Near([0.6f, 0.8f], g);
        Assertions.Near([9.4f, -0.8f], theta);
    }

    [Fact]
    public void ClipValueIsAppliedBeforeClipNorm()
    {
        // (3, 9) → clamp to [−4, 4] → (3, 4) → norm 5 > 1 → (0.6, 0.8).
        // (Norm first: (3, 9)/√90 = (0.316, 0.949), which the clamp would leave as is.)
        var sgd = new Sgd(1f) { ClipValue = 4f, ClipNorm = 1f };
        float[] theta = [0f, 0f];
        float[] g = [3f, 9f];

        sgd.Step(theta, g);

        Assertions.Near([0.6f, 0.8f], g);
    }

    [Fact]
    public void InvalidSettings_Throw()
    {
        var sgd = new Sgd(0.1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.WeightDecay = -1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.L1 = float.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipNorm = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipValue = -2f);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = 0f);
        sgd.ClipNorm = null;
        sgd.ClipValue = null;
        Assert.Null(sgd.ClipNorm);
    }
}
