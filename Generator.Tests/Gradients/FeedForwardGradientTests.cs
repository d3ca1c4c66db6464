using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Gradients;

/// <summary>Finite-difference checks of generated backward passes, mini-batches larger than one.</summary>
public class FeedForwardGradientTests
{
    [Fact]
    public void Dense_with_tanh_sigmoid_relu_and_identity_under_mse()
    {
        var model = new ActivationStackNet(seed: 3);
        const int batch = 4;
        GradientCheck.Assert(model, TestData.Uniform(batch * ActivationStackNet.InputSize, 1), TestData.Uniform(batch * ActivationStackNet.OutputSize, 2), batch);
    }

    [Fact]
    public void Mse_through_a_sigmoid_output()
    {
        var model = new SigmoidOutputNet(seed: 5);
        const int batch = 3;
        GradientCheck.Assert(model, TestData.Uniform(batch * 4, 3, scale: 2), TestData.Uniform(batch * 3, 4), batch);
    }

    [Fact]
    public void Flatten_dropout_and_softmax_cross_entropy_with_a_fixed_mask()
    {
        var model = new DropoutSoftmaxNet(seed: 7);
        const int batch = 5;
        GradientCheck.Assert(
            model,
            TestData.Uniform(batch * DropoutSoftmaxNet.InputSize, 5),
            TestData.OneHot(batch, DropoutSoftmaxNet.OutputSize, 6),
            batch,
            beforeEachPass: () => model.SeedDropout(11));
    }

    [Fact]
    public void Softmax_cross_entropy_on_logits_with_soft_targets()
    {
        var model = new LogitsNet(seed: 9);
        const int batch = 6;
        var targets = TestData.Uniform(batch * 3, 8);
        for (var r = 0; r < batch; r++)
        {
            // Probability rows, not just one-hot: the a − y gradient must hold for any distribution.
            var row = targets.AsSpan(r * 3, 3);
            var sum = 0f;
            for (var c = 0; c < 3; c++)
            {
                row[c] = MathF.Abs(row[c]) + 0.1f;
                sum += row[c];
            }

            for (var c = 0; c < 3; c++)
            {
                row[c] /= sum;
            }
        }

        GradientCheck.Assert(model, TestData.Uniform(batch * 6, 7), targets, batch);
    }

    [Fact]
    public void The_check_catches_a_wrong_sign_or_a_missing_term()
    {
        var model = new ActivationStackNet(seed: 3);
        const int batch = 4;
        var inputs = TestData.Uniform(batch * ActivationStackNet.InputSize, 1);
        var targets = TestData.Uniform(batch * ActivationStackNet.OutputSize, 2);

        var honest = GradientCheck.Compare(model, inputs, targets, batch, null, 3e-3, _ => { });
        var flipped = GradientCheck.Compare(model, inputs, targets, batch, null, 3e-3, g =>
        {
            var largest = Array.IndexOf(g, g.MaxBy(Math.Abs));
            g[largest] = -g[largest];
        });
        var halved = GradientCheck.Compare(model, inputs, targets, batch, null, 3e-3, g =>
        {
            for (var i = 0; i < 30; i++)
            {
                g[i] *= 0.5;
            }
        });

        Assert.True(honest.Passed, honest.Report);
        Assert.False(flipped.Passed, flipped.Report);
        Assert.False(halved.Passed, halved.Report);
    }
}
