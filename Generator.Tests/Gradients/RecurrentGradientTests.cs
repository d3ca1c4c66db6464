using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Gradients;

/// <summary>Finite-difference checks of generated BPTT for every cell and variant: batch 3, 5–6 steps.</summary>
public class RecurrentGradientTests
{
    [Fact]
    public void SimpleRnn_tanh_returning_sequences() => Check(new TanhRnnNet(seed: 1), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void SimpleRnn_sigmoid_last_state() => Check(new SigmoidRnnNet(seed: 2), 3, 6, 2, sequenceTargets: false);

    // ReLU has a kink at 0: the seed is one where no pre-activation lies within the finite-difference step of it.
    [Fact]
    public void SimpleRnn_relu_returning_sequences() => Check(new ReluRnnNet(seed: 4), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void SimpleRnn_identity_last_state() => Check(new IdentityRnnNet(seed: 4), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Lstm_last_state() => Check(new LstmNet(seed: 5), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Lstm_with_peepholes() => Check(new PeepholeLstmNet(seed: 6), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void Lstm_with_coupled_gates() => Check(new CoupledLstmNet(seed: 7), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Lstm_with_coupled_gates_and_peepholes() => Check(new CoupledPeepholeLstmNet(seed: 8), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void Gru_reset_after() => Check(new GruNet(seed: 9), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void Gru_classic() => Check(new ClassicGruNet(seed: 10), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Bidirectional_lstm_and_gru() => Check(new BidirectionalNet(seed: 11), 3, 5, 2, sequenceTargets: false);

    [Fact]
    public void Stacked_recurrent_layers_after_a_per_step_dense() => Check(new StackedRnnNet(seed: 12), 3, 5, 2, sequenceTargets: false);

    // One-hot inputs take the input side's gather path instead of the dense product (RecurrentInput.OneHot.cs).
    [Fact]
    public void SimpleRnn_with_one_hot_inputs() => CheckOneHot(new TanhRnnNet(seed: 21), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void Lstm_with_one_hot_inputs() => CheckOneHot(new LstmNet(seed: 22), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Gru_reset_after_with_one_hot_inputs() => CheckOneHot(new GruNet(seed: 23), 3, 6, 2, sequenceTargets: true);

    [Fact]
    public void Gru_classic_with_one_hot_inputs() => CheckOneHot(new ClassicGruNet(seed: 24), 3, 6, 2, sequenceTargets: false);

    [Fact]
    public void Input_and_recurrent_dropout_with_fixed_masks()
    {
        var model = new RecurrentDropoutNet(seed: 13);
        GradientCheck.Assert(model, TestData.Uniform(3 * 6 * 3, 31), TestData.Uniform(3 * 2, 32), 3, beforeEachPass: () => model.SeedDropout(5));
    }

    [Fact]
    public void Embedding_and_per_step_softmax()
    {
        var model = new EmbeddingGruNet(seed: 14);
        var tokens = Tokens(3 * 6, 7, 33);
        GradientCheck.Assert(model, tokens, TestData.OneHot(3 * 6, 7, 34), 3);
    }

    [Fact]
    public void Shorter_sequences_than_the_maximum()
    {
        var model = new GruNet(seed: 15);
        const int batch = 3, steps = 4;
        var inputs = TestData.Uniform(batch * steps * 3, 35);
        var targets = TestData.Uniform(batch * steps * 2, 36);
        GradientCheck.Assert(new FixedSteps(model, steps), inputs, targets, batch);
    }

    /// <summary>
    /// TBPTT: with BackpropSteps = k2 the gradient is that of the graph in which the state entering the last
    /// k2 steps is a constant, i.e. of the last k2 steps run statefully from the state the first steps reach.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Truncated_bptt_equals_the_gradient_of_the_truncated_graph(int k2)
    {
        const int batch = 3, steps = 6, features = 3;
        var inputs = TestData.Uniform(batch * steps * features, 37);
        var targets = TestData.Uniform(batch * 2, 38);

        var truncated = new LstmNet(seed: 16) { BackpropSteps = k2 };
        truncated.ComputeGradients(inputs, targets, batch);
        var expected = truncated.Gradients.ToArray();

        // The reference: run the first steps − k2 steps to get the state, then back-propagate fully
        // through the remaining k2 steps started from it.
        var head = SliceSteps(inputs, batch, steps, features, 0, steps - k2);
        var tail = SliceSteps(inputs, batch, steps, features, steps - k2, k2);
        var reference = new LstmNet(seed: 16);
        reference.Forward(head, new float[batch * 2], batch, steps - k2);
        reference.CarryState = true;
        var result = GradientCheck.Compare(new FixedSteps(reference, k2, restoreState: true), tail, targets, batch, null, 3e-3, g => Array.Copy(expected.Select(v => (double)v).ToArray(), g, g.Length));
        Assert.True(result.Passed, result.Report);

        // And it differs from the full BPTT gradient, so the truncation is real.
        var full = new LstmNet(seed: 16);
        full.ComputeGradients(inputs, targets, batch);
        Assert.NotEqual(expected, full.Gradients.ToArray());
    }

    private static void Check(IModel model, int features, int steps, int outputs, bool sequenceTargets)
    {
        const int batch = 3;
        GradientCheck.Assert(model, TestData.Uniform(batch * steps * features, 41), TestData.Uniform(batch * (sequenceTargets ? steps : 1) * outputs, 42), batch);
    }

    private static void CheckOneHot(IModel model, int features, int steps, int outputs, bool sequenceTargets)
    {
        const int batch = 3;
        GradientCheck.Assert(model, TestData.OneHot(batch * steps, features, 43), TestData.Uniform(batch * (sequenceTargets ? steps : 1) * outputs, 44), batch);
    }

    internal static float[] Tokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => (float)rng.NextInt(vocabulary)).ToArray();
    }

    private static float[] SliceSteps(float[] inputs, int batch, int steps, int features, int first, int count)
    {
        var result = new float[batch * count * features];
        for (var b = 0; b < batch; b++)
        {
            Array.Copy(inputs, ((b * steps) + first) * features, result, b * count * features, count * features);
        }

        return result;
    }
}
