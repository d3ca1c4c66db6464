using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Gradients;

/// <summary>
/// Finite-difference checks of encoder–decoder models whose training passes differ from inference: dropout masks on
/// both sides of the hand-over (replayed by reseeding before each pass) and batch statistics in the encoder.
/// </summary>
public class EncoderDecoderDropoutGradientTests
{
    private const int Batch = 3;

    [Fact]
    public void Dropout_masks_on_both_sides_of_the_hand_over()
    {
        var model = new DropoutSeq2Seq(seed: 31);
        float[] inputs = TestData.Uniform(Batch * 5 * 3, 81), decoderInputs = TestData.OneHot(Batch * 4, 3, 82), targets = TestData.OneHot(Batch * 4, 3, 83);
        var result = GradientCheck.Compare(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4), () => model.SeedDropout(7), 3e-3, analytic => { });
        Assert.True(result.Passed, result.Report);
    }

    [Fact]
    public void Dropout_is_off_in_inference_and_on_in_training()
    {
        var model = new DropoutSeq2Seq(seed: 32);
        float[] inputs = TestData.Uniform(Batch * 5 * 3, 84), decoderInputs = TestData.OneHot(Batch * 4, 3, 85), targets = TestData.OneHot(Batch * 4, 3, 86);
        var inference = model.ComputeLoss(inputs, decoderInputs, targets, Batch, 5, 4);
        Assert.Equal(inference, model.ComputeLoss(inputs, decoderInputs, targets, Batch, 5, 4));
        model.SeedDropout(1);
        var first = model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4);
        model.SeedDropout(2);
        var second = model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4);
        Assert.NotEqual(first, second);
        Assert.NotEqual(inference, first);
    }

    [Fact]
    public void Batch_norm_in_the_encoder_of_a_one_to_many_model()
    {
        var model = new BatchNormToSequence(seed: 33);
        float[] inputs = TestData.Uniform(4 * 4, 87, scale: 2), decoderInputs = TestData.OneHot(4 * 4, 3, 88), targets = TestData.OneHot(4 * 4, 3, 89);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, 4, 4));
    }

    /// <summary>
    /// Like plain models, Backward through batch norm needs the batch statistics of a training pass; after an inference
    /// Forward it must refuse rather than back-propagate through statistics the forward pass did not use.
    /// </summary>
    [Fact]
    public void Backward_through_batch_norm_after_an_inference_Forward_throws()
    {
        var model = new BatchNormToSequence(seed: 34);
        float[] inputs = TestData.Uniform(4 * 4, 90), decoderInputs = TestData.OneHot(4 * 4, 3, 91), targets = TestData.OneHot(4 * 4, 3, 92);
        model.Forward(inputs, decoderInputs, new float[4 * 4 * 3], 4, 4);

        var exception = Assert.Throws<InvalidOperationException>(() => model.Backward(targets));
        Assert.Contains("BatchNorm", exception.Message, StringComparison.Ordinal);
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0f, g));

        var loss = model.ComputeGradients(inputs, decoderInputs, targets, 4, 4);
        var gradients = model.Gradients.ToArray();
        Assert.Equal(loss, model.Backward(targets));
        Assert.Equal(gradients, model.Gradients.ToArray());
    }
}
