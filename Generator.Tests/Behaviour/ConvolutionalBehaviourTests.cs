using ModelGen.Kernels;
using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>Shapes, parameter counts and numerics of generated convolutional models.</summary>
public class ConvolutionalBehaviourTests
{
    [Fact]
    public void Shapes_network_has_166467_parameters()
    {
        Assert.Equal(166_467, ShapesNet.ParameterCount);
        Assert.Equal(32 * 18 * 18, ShapesNet.Conv1OutputSize);
        Assert.Equal(32 * 9 * 9, ShapesNet.Maxpool1OutputSize);
        Assert.Equal(2592, ShapesNet.Flatten1OutputSize);
        Assert.Contains("Total params: 166,467", new ShapesNet().Summary());
    }

    [Fact]
    public void Worked_example_shapes_28_to_26_to_13_to_2704()
    {
        Assert.Equal(16 * 26 * 26, DigitsNet.Conv1OutputSize);
        Assert.Equal(13 * 13 * 16, DigitsNet.Maxpool1OutputSize);
        Assert.Equal(2704, DigitsNet.Flatten1OutputSize);
        Assert.Equal((16 * 9) + 16 + (10 * 2704) + 10, DigitsNet.ParameterCount);
        Assert.Contains("conv1 (Conv2D)               (None, 16, 26, 26)       160", new DigitsNet().Summary());
    }

    [Fact]
    public void Fused_inference_conv_pool_matches_the_training_pass_and_Backward_after_Forward_recomputes_the_argmax()
    {
        // Inference runs conv + ReLU + max pooling in one kernel without arg-max indices; training records them too.
        var model = new DigitsNet(seed: 5);
        const int batch = 3;
        var inputs = TestData.Uniform(batch * DigitsNet.InputSize, 12);
        var targets = TestData.OneHot(batch, 10, 13);
        var expectedLoss = model.ComputeGradients(inputs, targets, batch);
        var expected = model.Gradients.ToArray();

        // Training and inference run the same convolution (Winograd's F(2, 3) here: one input channel, 3×3, 16
        // filters; the direct kernels elsewhere), so the losses agree to the bit.
        Assert.Equal(expectedLoss, model.ComputeLoss(inputs, targets, batch));

        // A training pass on other inputs leaves their arg-max indices behind; Backward after an inference Forward
        // (which keeps none) must recompute them.
        model.ComputeGradients(TestData.Uniform(batch * DigitsNet.InputSize, 14), targets, batch);
        model.Forward(inputs, new float[batch * 10], batch);
        Assert.Equal(expectedLoss, model.Backward(targets), 5);
        var observed = model.Gradients.ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(observed[i] - expected[i]) <= 1e-5 * (1 + Math.Abs(expected[i])), $"[{i}]: {observed[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void Conv2D_forward_matches_a_naive_direct_convolution()
    {
        var model = new StridedConvNet(seed: 8);
        const int batch = 2;
        var input = TestData.Uniform(batch * 49, 31);
        model.Forward(input, new float[batch * 3], batch);

        // Recompute the first layer (2 filters, 3×3, stride 2, pad 1, sigmoid) by the definition.
        var expected = NaiveConvolution(input, model.Conv1Weight.ToArray(), model.Conv1Bias.ToArray(), batch, 1, 7, 7, 2, 3, 3, 2, 2, 1, 1);
        var observed = ReadActivation(model, expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-expected[i])), observed[i], 5);
        }
    }

    [Fact]
    public void BatchNorm_uses_batch_statistics_in_training_and_running_statistics_at_inference()
    {
        var model = new BatchNormNet(seed: 2);
        var inputs = TestData.Uniform(8 * BatchNormNet.InputSize, 3);
        var targets = TestData.Uniform(8 * 2, 4);
        Assert.All(model.Batchnorm1RunningVariance.ToArray(), v => Assert.Equal(1f, v));

        model.ComputeGradients(inputs, targets, 8);
        Assert.NotEqual(0f, model.Batchnorm1RunningMean[0]);
        var runningMean = model.Batchnorm1RunningMean.ToArray();

        // Inference uses (and does not move) the running statistics; the same example alone or in a batch gives the same output.
        var alone = new float[2];
        var batched = new float[8 * 2];
        model.Forward(inputs.AsSpan(0, BatchNormNet.InputSize), alone);
        model.Forward(inputs, batched, 8);
        Assert.Equal(alone[0], batched[0], 5);
        Assert.Equal(runningMean, model.Batchnorm1RunningMean.ToArray());
        Assert.Equal(2 * (3 + 4), model.State.Length);
        Assert.Throws<InvalidOperationException>(() => model.Backward(targets));
    }

    [Fact]
    public void Shapes_network_Forward_and_TrainStep_allocate_nothing()
    {
        var model = new ShapesNet(seed: 1);
        var inputs = TestData.Uniform(32 * ShapesNet.InputSize, 1);
        var targets = TestData.OneHot(32, 3, 2);
        var outputs = new float[32 * 3];
        var optimizer = new Adam(1e-3f);

        Assert.Equal(0, Allocations.AfterWarmUp(() =>
        {
            model.Forward(inputs, outputs, 32);
            model.TrainStep(inputs, targets, 32, optimizer);
        }));
    }

    [Fact]
    public void Residual_and_batch_norm_models_allocate_nothing()
    {
        var residual = new ResidualNet(seed: 1);
        var norm = new BatchNormNet(seed: 1);
        var optimizer = new Sgd(0.01f);
        var optimizer2 = new Sgd(0.01f);
        var x1 = TestData.Uniform(4 * ResidualNet.InputSize, 1);
        var x2 = TestData.Uniform(8 * BatchNormNet.InputSize, 1);
        var y1 = new float[4 * 2];
        var y2 = new float[8 * 2];

        Assert.Equal(0, Allocations.AfterWarmUp(() =>
        {
            residual.TrainStep(x1, y1, 4, optimizer);
            norm.TrainStep(x2, y2, 8, optimizer2);
            norm.Forward(x2, y2, 8);
        }));
    }

    // The first layer's output starts right after the copied input in the activation buffer; read it
    // through a second model call path instead of reflection: run the conv kernel contract directly.
    private static float[] ReadActivation(StridedConvNet model, int length)
    {
        var shape = new ConvShape(1, 7, 7, 2, 3, 3, 2, 2, 1, 1);
        var input = TestData.Uniform(2 * 49, 31);
        var output = new float[length];
        Convolution.Forward(input, model.Conv1Weight, model.Conv1Bias, output, new float[Convolution.WorkspaceLength(shape)], shape, 2);
        Activations.Sigmoid(output);
        return output;
    }

    private static double[] NaiveConvolution(
        float[] x, float[] w, float[] b, int batch, int channels, int height, int width, int filters, int kh, int kw, int sy, int sx, int py, int px)
    {
        var oh = ((height + (2 * py) - kh) / sy) + 1;
        var ow = ((width + (2 * px) - kw) / sx) + 1;
        var y = new double[batch * filters * oh * ow];
        for (var n = 0; n < batch; n++)
        for (var f = 0; f < filters; f++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            double sum = b[f];
            for (var c = 0; c < channels; c++)
            for (var u = 0; u < kh; u++)
            for (var v = 0; v < kw; v++)
            {
                int r = (i * sy) + u - py, s = (j * sx) + v - px;
                if (r >= 0 && r < height && s >= 0 && s < width)
                {
                    sum += w[(((f * channels) + c) * kh * kw) + (u * kw) + v] * x[(((n * channels) + c) * height * width) + (r * width) + s];
                }
            }

            y[(((n * filters) + f) * oh * ow) + (i * ow) + j] = sum;
        }

        return y;
    }
}
