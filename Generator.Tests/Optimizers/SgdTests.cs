using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class SgdTests
{
    [Fact]
    public void Plain_ThetaMinusRateTimesGradient()
    {
        // ε = 0.1: θ ← θ − 0.1·g
        // step 1: (1, −2) − 0.1·(0.5, 0.25) = (0.95, −2.025)
        // step 2: (0.95, −2.025) − 0.1·(0.5, 0.25) = (0.90, −2.05)
        var sgd = new Sgd(0.1f);
        float[] theta = [1f, -2f];
        float[] g = [0.5f, 0.25f];

        sgd.Step(theta, g);
        Assertions.Near([0.95f, -2.025f], theta);

        sgd.Step(theta, g);
        Assertions.Near([0.90f, -2.05f], theta);
        Assert.Equal(2, sgd.Iterations);
    }

    [Fact]
    public void Momentum_VelocityCarriesAcrossSteps()
    {
        // ε = 0.1, α = 0.9: v ← 0.9v − 0.1g, θ ← θ + v
        // element 0 (θ = 1, g = 0.5):  v = −0.05, −0.095, −0.1355;  θ = 0.95, 0.855, 0.7195
        // element 1 (θ = 2, g = −1):   v =  0.1,   0.19,   0.271;   θ = 2.1,  2.29,  2.561
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        float[] theta = [1f, 2f];

        sgd.Step(theta, new float[] { 0.5f, -1f });
        Assertions.Near([0.95f, 2.1f], theta);

        sgd.Step(theta, new float[] { 0.5f, -1f });
        Assertions.Near([0.855f, 2.29f], theta);

        sgd.Step(theta, new float[] { 0.5f, -1f });
        Assertions.Near([0.7195f, 2.561f], theta);
    }

    [Fact]
    public void Momentum_ZeroGradientStillMovesByDecayedVelocity()
    {
        // ε = 0.1, α = 0.5, θ = 1. step 1 g = 1: v = −0.1, θ = 0.9.
        // step 2 g = 0: v = 0.5·(−0.1) − 0 = −0.05, θ = 0.85 (plain SGD would stay at 0.9).
        var sgd = new Sgd(0.1f, momentum: 0.5f);
        float[] theta = [1f];

        sgd.Step(theta, new float[] { 1f });
        Assertions.Near([0.9f], theta);

        sgd.Step(theta, new float[] { 0f });
        Assertions.Near([0.85f], theta);
    }

    [Fact]
    public void Nesterov_LookAheadForm()
    {
        // ε = 0.1, α = 0.9: v ← 0.9v − 0.1g, θ ← θ + 0.9v − 0.1g (new v)
        // element 0 (θ = 1, g = 0.5): step 1 v = −0.05, θ = 1 − 0.045 − 0.05 = 0.905
        //                              step 2 v = −0.095, θ = 0.905 − 0.0855 − 0.05 = 0.7695
        // element 1 (θ = 2, g = −1):  step 1 v = 0.1,  θ = 2 + 0.09 + 0.1 = 2.19
        //                              step 2 v = 0.19, θ = 2.19 + 0.171 + 0.1 = 2.461
        var sgd = new Sgd(0.1f, momentum: 0.9f, nesterov: true);
        float[] theta = [1f, 2f];

        sgd.Step(theta, new float[] { 0.5f, -1f });
        Assertions.Near([0.905f, 2.19f], theta);

        sgd.Step(theta, new float[] { 0.5f, -1f });
        Assertions.Near([0.7695f, 2.461f], theta);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void InvalidMomentum_Throws(float momentum)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum));
    }

    [Fact]
    public void NesterovWithoutMomentum_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Sgd(0.1f, 0f, nesterov: true));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void InvalidLearningRate_Throws(float rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(rate));
    }
}
