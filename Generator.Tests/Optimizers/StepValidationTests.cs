using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class StepValidationTests
{
    [Fact]
    public void LengthMismatch_ThrowsAndLeavesEverythingUnchanged()
    {
        var sgd = new Sgd(0.1f, 0.9f) { WeightDecay = 0.5f, ClipValue = 0.1f };
        float[] theta = [1f, 2f];
        float[] g = [1f, 1f, 1f];

        var ex = Assert.Throws<ArgumentException>(() => sgd.Step(theta, g));

        Assert.Contains("2", ex.Message);
        Assert.Contains("3", ex.Message);
        Assert.Equal([1f, 2f], theta);
        Assert.Equal([1f, 1f, 1f], g);
        Assert.Equal(0, sgd.Iterations);
    }

    [Fact]
    public void DifferentLengthOnLaterStep_Throws()
    {
        var adam = new Adam(0.1f) { L1 = 0.1f };
        adam.Step(new float[] { 1f, 2f }, new float[] { 0.1f, 0.1f });

        float[] theta = [1f, 2f, 3f];
        float[] g = [1f, 1f, 1f];
        var ex = Assert.Throws<ArgumentException>(() => adam.Step(theta, g));

        Assert.Contains("2", ex.Message);
        Assert.Contains("3", ex.Message);
        Assert.Equal([1f, 2f, 3f], theta);
        Assert.Equal([1f, 1f, 1f], g);
        Assert.Equal(1, adam.Iterations);
    }

    [Fact]
    public void Reset_ClearsStateAndAllowsNewLength()
    {
        // Momentum ε = 0.1, α = 0.9, g = 1: a fresh first step always moves θ by −0.1.
        var sgd = new Sgd(0.1f, 0.9f);
        sgd.Step(new float[] { 0f, 0f }, new float[] { 1f, 1f });
        sgd.Step(new float[] { 0f, 0f }, new float[] { 1f, 1f });

        sgd.Reset();
        Assert.Equal(0, sgd.Iterations);

        float[] theta = [1f, 1f, 1f];
        sgd.Step(theta, new float[] { 1f, 1f, 1f });
        Assertions.Near([0.9f, 0.9f, 0.9f], theta); // velocity was zeroed (else −0.19 − 0.1 …)
    }

    [Fact]
    public void Reset_SameLength_ZeroesAdamMoments()
    {
        var adam = new Adam(0.1f);
        float[] theta = [1f];
        adam.Step(theta, new float[] { -3f });
        adam.Reset();

        theta[0] = 1f;
        adam.Step(theta, new float[] { 0.5f });
        Assertions.Near([0.9f], theta); // fresh t=1: θ − ε·sign(g)
    }
}
