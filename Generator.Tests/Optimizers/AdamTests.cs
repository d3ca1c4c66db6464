using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class AdamTests
{
    [Fact]
    public void TwoSteps_WithBiasCorrection()
    {
        // ε = 0.1, β1 = 0.9, β2 = 0.999, eps = 1e-8.
        // element 0 (θ = 1, g = 0.5 twice): constant g gives m̂ = g, v̂ = g² at every t, so Δθ = ε·sign(g):
        //   t=1: m = 0.05, v = 0.00025, m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25, θ = 1 − 0.1·0.5/0.5 = 0.9
        //   t=2: m = 0.095, v = 0.00049975, m̂ = 0.095/0.19 = 0.5, v̂ = 0.00049975/0.001999 = 0.25, θ = 0.8
        //   (without bias correction t=1 would give 1 − 0.1·0.05/√0.00025 = 0.6838.)
        // element 1 (θ = −1, g = −2 then 1):
        //   t=1: m = −0.2, v = 0.004, m̂ = −2, v̂ = 4, θ = −1 + 0.1·2/2 = −0.9
        //   t=2: m = −0.18 + 0.1 = −0.08, v = 0.003996 + 0.001 = 0.004996,
        //        m̂ = −0.08/0.19 = −0.42105263, v̂ = 0.004996/0.001999 = 2.4992496, √v̂ = 1.5809015,
        //        θ = −0.9 + 0.1·0.42105263/1.5809015 = −0.9 + 0.0266337 = −0.8733663
        var adam = new Adam(0.1f);
        float[] theta = [1f, -1f];

        adam.Step(theta, new float[] { 0.5f, -2f });
        Assertions.Near([0.9f, -0.9f], theta);

        adam.Step(theta, new float[] { 0.5f, 1f });
        Assertions.Near([0.8f, -0.8733663f], theta);
    }

    [Fact]
    public void Defaults_MatchPyTorch()
    {
        var adam = new Adam();
        Assert.Equal(0.001f, adam.LearningRate);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-8f, adam.Epsilon);
    }

    [Theory]
    [InlineData(1f, 0.999f, 1e-8f)]
    [InlineData(0.9f, 1f, 1e-8f)]
    [InlineData(0.9f, -0.5f, 1e-8f)]
    [InlineData(0.9f, 0.999f, -1f)]
    public void InvalidArguments_Throw(float beta1, float beta2, float epsilon)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(0.001f, beta1, beta2, epsilon));
    }
}
