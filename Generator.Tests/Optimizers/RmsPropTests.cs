using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class RmsPropTests
{
    [Fact]
    public void TwoSteps_EpsilonOutsideSquareRoot()
    {
        // ε = 0.1, ρ = 0.75, eps = 0.25 (large on purpose: √s + eps ≠ √(s + eps)).
        // s ← 0.75s + 0.25g², θ ← θ − 0.1·g/(√s + 0.25)
        // element 0 (θ = 1):  g = 2: s = 0.25·4 = 1,           θ = 1 − 0.2/1.25 = 0.84
        //                      g = 1: s = 0.75 + 0.25 = 1,      θ = 0.84 − 0.1/1.25 = 0.76
        // element 1 (θ = −1): g = −4: s = 0.25·16 = 4,         θ = −1 + 0.4/2.25 = −0.8222222
        //                      g = −2: s = 3 + 1 = 4,           θ = −0.8222222 + 0.2/2.25 = −0.7333333
        var rms = new RmsProp(0.1f, rho: 0.75f, epsilon: 0.25f);
        float[] theta = [1f, -1f];

        rms.Step(theta, new float[] { 2f, -4f });
        Assertions.Near([0.84f, -0.8222222f], theta);

        rms.Step(theta, new float[] { 1f, -2f });
        Assertions.Near([0.76f, -0.7333333f], theta);
    }

    [Fact]
    public void Defaults_FirstStepIsAboutRateOverSqrtOneMinusRho()
    {
        // ε = 0.001, ρ = 0.9, eps = 1e-7: s = 0.1·g², so Δθ = 0.001·g/(√0.1·|g| + 1e-7) ≈ 0.001/0.3162278 = 0.0031623
        var rms = new RmsProp();
        Assert.Equal(0.001f, rms.LearningRate);
        Assert.Equal(0.9f, rms.Rho);
        Assert.Equal(1e-7f, rms.Epsilon);

        float[] theta = [1f];
        rms.Step(theta, new float[] { 0.5f });
        Assertions.Near([1f - 0.0031623f], theta);
    }

    [Theory]
    [InlineData(1f, 1e-7f)]
    [InlineData(-0.1f, 1e-7f)]
    [InlineData(0.9f, 0f)]
    public void InvalidArguments_Throw(float rho, float epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(0.001f, rho, epsilon));
    }
}
