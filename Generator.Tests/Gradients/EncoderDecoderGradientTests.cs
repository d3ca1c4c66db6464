using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Gradients;

/// <summary>
/// Finite-difference checks of teacher-forced training through generated encoder–decoder models: batch 3, input and
/// output lengths that differ, gradients through the decoder and, via the state hand-over, the encoder.
/// </summary>
public class EncoderDecoderGradientTests
{
    private const int Batch = 3;

    [Fact]
    public void Stacked_lstm_passes_hidden_and_cell_states()
    {
        var model = new LstmSeq2Seq(seed: 21);
        float[] inputs = TestData.Uniform(Batch * 5 * 3, 41), decoderInputs = TestData.OneHot(Batch * 4, 3, 42), targets = TestData.OneHot(Batch * 4, 3, 43);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4));
        AssertEncoderLearns(model.Gradients, LstmSeq2Seq.Tensors);
    }

    [Fact]
    public void Gru_with_embeddings_on_both_sides_and_a_shorter_output()
    {
        var model = new GruSeq2Seq(seed: 22);
        float[] inputs = RecurrentGradientTests.Tokens(Batch * 5, 6, 44), decoderInputs = RecurrentGradientTests.Tokens(Batch * 2, 6, 45), targets = TestData.OneHot(Batch * 2, 6, 46);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 2));
        AssertEncoderLearns(model.Gradients, GruSeq2Seq.Tensors);
    }

    [Fact]
    public void Simple_rnn_regression_with_a_shorter_input()
    {
        var model = new RnnSeq2Seq(seed: 23);
        float[] inputs = TestData.Uniform(Batch * 2 * 2, 47), decoderInputs = TestData.Uniform(Batch * 3 * 2, 48), targets = TestData.Uniform(Batch * 3 * 2, 49);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 2, 3));
        AssertEncoderLearns(model.Gradients, RnnSeq2Seq.Tensors);
    }

    [Fact]
    public void Vector_through_dense_seeds_an_lstm_decoder()
    {
        var model = new VectorToSequence(seed: 24);
        float[] inputs = TestData.Uniform(Batch * 4, 50), decoderInputs = TestData.OneHot(Batch * 4, 3, 51), targets = TestData.OneHot(Batch * 4, 3, 52);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 4));
        AssertEncoderLearns(model.Gradients, VectorToSequence.Tensors);
    }

    [Fact]
    public void Input_vector_seeds_the_first_of_two_gru_layers()
    {
        var model = new DirectVectorToSequence(seed: 25);
        float[] inputs = TestData.Uniform(Batch * 5, 53), decoderInputs = TestData.OneHot(Batch * 3, 3, 54), targets = TestData.OneHot(Batch * 3, 3, 55);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 3));
    }

    [Fact]
    public void Summarized_sequence_seeds_the_decoder()
    {
        var model = new SummaryToSequence(seed: 26);
        float[] inputs = TestData.Uniform(Batch * 4 * 2, 56), decoderInputs = TestData.OneHot(Batch * 3, 3, 57), targets = TestData.OneHot(Batch * 3, 3, 58);
        GradientCheck.Assert(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 4, 3));
        AssertEncoderLearns(model.Gradients, SummaryToSequence.Tensors);
    }

    [Fact]
    public void The_check_catches_a_missing_encoder_gradient()
    {
        // The encoder's whole gradient comes through the hand-over; dropping it must fail the check.
        var model = new LstmSeq2Seq(seed: 21);
        float[] inputs = TestData.Uniform(Batch * 5 * 3, 41), decoderInputs = TestData.OneHot(Batch * 4, 3, 42), targets = TestData.OneHot(Batch * 4, 3, 43);
        var encoderEnd = LstmSeq2Seq.Tensors.Where(t => t.Name.StartsWith("lstm2.", StringComparison.Ordinal)).Max(t => t.Offset + t.Length);
        var result = GradientCheck.Compare(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4), null, 3e-3,
            analytic => Array.Clear(analytic, 0, encoderEnd));
        Assert.False(result.Passed, result.Report);
    }

    /// <summary>The encoder's first layer gets a non-zero gradient: the decoder's loss reached it through the state hand-over.</summary>
    private static void AssertEncoderLearns(Span<float> gradients, IReadOnlyList<ModelGen.Serialization.TensorInfo> tensors)
    {
        var first = tensors[0];
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(gradients.Slice(first.Offset, first.Length));
        Assert.True(norm > 1e-4f, first.Name + " gradient norm " + norm);
    }
}
