using ModelGen.Optimizers;
using Xunit;

namespace ModelGen.Tests.Optimizers;

public class ScheduleTests
{
    [Fact]
    public void StepDecay_MultipliesByGammaEveryStepSize()
    {
        // 0.1·0.5^⌊k/2⌋: k = 0, 1 → 0.1; 2, 3 → 0.05; 4 → 0.025
        var s = new StepDecay(2, 0.5f);
        Assert.Equal(0.1f, s.Rate(0.1f, 0), 6);
        Assert.Equal(0.1f, s.Rate(0.1f, 1), 6);
        Assert.Equal(0.05f, s.Rate(0.1f, 2), 6);
        Assert.Equal(0.05f, s.Rate(0.1f, 3), 6);
        Assert.Equal(0.025f, s.Rate(0.1f, 4), 6);
    }

    [Fact]
    public void ExponentialDecay_IsContinuous()
    {
        // 0.1·0.5^(k/2): k = 0 → 0.1; 1 → 0.1/√2 = 0.0707107; 2 → 0.05; 4 → 0.025
        var s = new ExponentialDecay(0.5f, 2);
        Assert.Equal(0.1f, s.Rate(0.1f, 0), 6);
        Assert.Equal(0.0707107f, s.Rate(0.1f, 1), 6);
        Assert.Equal(0.05f, s.Rate(0.1f, 2), 6);
        Assert.Equal(0.025f, s.Rate(0.1f, 4), 6);
    }

    [Fact]
    public void InverseTimeDecay_OneOverOnePlusRateTimesK()
    {
        // 0.1/(1 + 0.5·k/2): k = 0 → 0.1; 2 → 0.1/1.5 = 0.0666667; 4 → 0.05; 12 → 0.025
        var s = new InverseTimeDecay(0.5f, 2);
        Assert.Equal(0.1f, s.Rate(0.1f, 0), 6);
        Assert.Equal(0.0666667f, s.Rate(0.1f, 2), 6);
        Assert.Equal(0.05f, s.Rate(0.1f, 4), 6);
        Assert.Equal(0.025f, s.Rate(0.1f, 12), 6);
    }

    [Fact]
    public void ConstantRate_ReturnsBase()
    {
        var s = new ConstantRate();
        Assert.Equal(0.3f, s.Rate(0.3f, 0));
        Assert.Equal(0.3f, s.Rate(0.3f, 1000));
    }

    [Fact]
    public void InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.5f, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(-1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(0.5f, -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecay(1, 0.5f).Rate(0.1f, -1));
    }

    [Fact]
    public void Optimizer_UsesScheduledRate()
    {
        // StepDecay(1, 0.5) on ε = 0.1: rates 0.1, 0.05, 0.025; θ = 1, g = 1:
        // θ = 0.9, 0.85, 0.825
        var sgd = new Sgd(0.1f) { Schedule = new StepDecay(1, 0.5f) };
        float[] theta = [1f];
        float[] g = [1f];

        Assert.Equal(0, sgd.Iterations);
        Assert.Equal(0.1f, sgd.CurrentLearningRate, 6);
        sgd.Step(theta, g);
        Assertions.Near([0.9f], theta);

        Assert.Equal(1, sgd.Iterations);
        Assert.Equal(0.05f, sgd.CurrentLearningRate, 6);
        sgd.Step(theta, g);
        Assertions.Near([0.85f], theta);

        Assert.Equal(2, sgd.Iterations);
        Assert.Equal(0.025f, sgd.CurrentLearningRate, 6);
        sgd.Step(theta, g);
        Assertions.Near([0.825f], theta);

        Assert.Equal(3, sgd.Iterations);
        Assert.Equal(0.1f, sgd.LearningRate);

        sgd.Reset();
        Assert.Equal(0, sgd.Iterations);
        Assert.Equal(0.1f, sgd.CurrentLearningRate, 6);
    }

    [Fact]
    public void Adam_BiasCorrectionUsesStepCountNotScheduledRate()
    {
        // InverseTimeDecay(1): rates 0.1, 0.05. Constant g = 0.5 makes Adam's step ε·sign(g): θ = 1 → 0.9 → 0.85
        var adam = new Adam(0.1f) { Schedule = new InverseTimeDecay(1f) };
        float[] theta = [1f];

        adam.Step(theta, new float[] { 0.5f });
        Assertions.Near([0.9f], theta);
        adam.Step(theta, new float[] { 0.5f });
        Assertions.Near([0.85f], theta);
    }
}
