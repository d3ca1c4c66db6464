using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>What the generated API does: numbers, constants, modes, and training.</summary>
public class FeedForwardBehaviourTests
{
    [Fact]
    public void Constants_describe_the_model()
    {
        Assert.Equal(9, DropoutSoftmaxNet.InputSize);
        Assert.Equal(4, DropoutSoftmaxNet.OutputSize);
        Assert.Equal((9 * 7) + 7 + (7 * 4) + 4, DropoutSoftmaxNet.ParameterCount);
        Assert.Equal(6, DropoutSoftmaxNet.MaxBatchSize);
        Assert.Equal(9, DropoutSoftmaxNet.Flatten1OutputSize);
        Assert.Equal(7, DropoutSoftmaxNet.Dense1OutputSize);
    }

    [Fact]
    public void Dense_forward_matches_hand_computed_values()
    {
        var model = new TinyLinear();
        new float[] { 1, 2, 3, 4 }.CopyTo(model.Dense1Weight); // A = [[1, 2], [3, 4]] (out × in)
        new float[] { 0.5f, -1 }.CopyTo(model.Dense1Bias);
        var output = new float[2];

        model.Forward(new float[] { 1, -1 }, output);

        Assert.Equal(new[] { (1 * 1) + (2 * -1) + 0.5f, (3 * 1) + (4 * -1) - 1f }, output);
    }

    [Fact]
    public void Mini_batch_forward_equals_example_by_example_forward()
    {
        var model = new ActivationStackNet(seed: 1);
        const int batch = 7;
        var inputs = TestData.Uniform(batch * 5, 21);
        var batched = new float[batch * 3];
        model.Forward(inputs, batched, batch);

        for (var r = 0; r < batch; r++)
        {
            var single = new float[3];
            model.Forward(inputs.AsSpan(r * 5, 5), single);
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(batched[(r * 3) + c], single[c], 5);
            }
        }
    }

    [Fact]
    public void Softmax_outputs_are_probabilities()
    {
        var model = new LogitsNet(seed: 2);
        var outputs = new float[4 * 3];
        model.Forward(TestData.Uniform(4 * 6, 3, scale: 5), outputs, 4);
        for (var r = 0; r < 4; r++)
        {
            Assert.Equal(1f, outputs[r * 3] + outputs[(r * 3) + 1] + outputs[(r * 3) + 2], 5);
            Assert.All(outputs.AsSpan(r * 3, 3).ToArray(), p => Assert.InRange(p, 0f, 1f));
        }
    }

    [Fact]
    public void Dropout_is_off_at_inference_and_scales_kept_units_in_training()
    {
        var model = new DropoutSoftmaxNet(seed: 4);
        var inputs = TestData.Uniform(6 * 9, 4);
        var targets = TestData.OneHot(6, 4, 5);

        var first = model.ComputeLoss(inputs, targets, 6);
        var second = model.ComputeLoss(inputs, targets, 6);
        Assert.Equal(first, second); // inference is deterministic: no mask

        var trainingLosses = Enumerable.Range(0, 5).Select(_ => model.ComputeGradients(inputs, targets, 6)).Distinct().Count();
        Assert.True(trainingLosses > 1, "training passes should draw different dropout masks");
    }

    [Fact]
    public void Training_reduces_the_loss()
    {
        var model = new LogitsNet(seed: 1);
        var inputs = TestData.Uniform(32 * 6, 30);
        var targets = new float[32 * 3];
        for (var r = 0; r < 32; r++)
        {
            // A learnable rule: the class is the index of the largest of the first three inputs.
            var row = inputs.AsSpan(r * 6, 3);
            targets[(r * 3) + row.IndexOf(MathF.Max(row[0], MathF.Max(row[1], row[2])))] = 1;
        }

        var optimizer = new Adam(0.01f);
        var before = model.ComputeLoss(inputs, targets, 32);
        for (var step = 0; step < 300; step++)
        {
            model.TrainStep(inputs, targets, 32, optimizer);
        }

        var after = model.ComputeLoss(inputs, targets, 32);
        Assert.True(after < before * 0.3, $"loss {before} -> {after}");
    }

    [Fact]
    public void Backward_after_inference_forward_gives_the_gradient_of_the_inference_pass()
    {
        var model = new ActivationStackNet(seed: 8);
        var inputs = TestData.Uniform(2 * 5, 9);
        var targets = TestData.Uniform(2 * 3, 10);
        var expectedLoss = model.ComputeGradients(inputs, targets, 2);
        var expected = model.Gradients.ToArray();

        model.Forward(inputs, new float[6], 2);
        var loss = model.Backward(targets);

        Assert.Equal(expectedLoss, loss);
        Assert.Equal(expected, model.Gradients.ToArray());
    }

    [Fact]
    public void Summary_lists_layers_shapes_and_parameter_counts()
    {
        var summary = new DropoutSoftmaxNet().Summary();
        Assert.Contains("flatten1 (Flatten)           (None, 9)", summary);
        Assert.Contains("dense1 (Dense)               (None, 7)                70", summary);
        Assert.Contains("Total params: 102", summary);
    }

    [Fact]
    public void Models_are_usable_through_the_IModel_interface()
    {
        IModel model = new LogitsNet();
        Assert.Equal(6, model.InputSize);
        Assert.Equal(3, model.OutputSize);
        Assert.Equal(32, model.MaxBatchSize);
        Assert.Equal(LogitsNet.ParameterCount, model.Parameters.Length);
    }
}
