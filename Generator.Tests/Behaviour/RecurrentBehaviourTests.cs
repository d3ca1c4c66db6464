using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>Numbers, streaming, statefulness and training of generated recurrent models.</summary>
public class RecurrentBehaviourTests
{
    // The worked example of the lecture notes: x1 = (1, 2), x2 = (2, 1), s0 = 0, identity activation, b = d = 0.
    private static readonly float[] X = { 1, 2, 2, 1 };
    private static readonly float[] U = { 0.9f, 0.2f, 0.4f, 0.6f };
    private static readonly float[] W = { 0.5f, 0.8f, 0.4f, 0.2f };
    private static readonly float[] V = { 0.3f, 0.8f, 0.9f, 0.4f };

    [Fact]
    public void Worked_example_states_s1_and_s2()
    {
        var model = new WorkedRnnStates();
        model.Parameters.Clear();
        U.CopyTo(model.Rnn1WeightIh);
        W.CopyTo(model.Rnn1WeightHh);
        var states = new float[4];

        model.Forward(X, states);

        AssertClose(new[] { 1.3, 1.6, 3.93, 2.24 }, states);
    }

    [Fact]
    public void Worked_example_output_z2_and_softmax_a2()
    {
        var model = new WorkedRnn();
        model.Parameters.Clear();
        U.CopyTo(model.Rnn1WeightIh);
        W.CopyTo(model.Rnn1WeightHh);
        V.CopyTo(model.Dense1Weight);
        var probabilities = new float[4];

        model.Forward(X, probabilities);

        // z2 = V s2 = (2.971, 4.433); a2 = softmax(z2).
        AssertClose(new[] { 0.18816, 0.81184 }, probabilities.AsSpan(2, 2).ToArray());
        var z2 = new[] { (0.3 * 3.93) + (0.8 * 2.24), (0.9 * 3.93) + (0.4 * 2.24) };
        AssertClose(new[] { 2.971, 4.433 }, z2.Select(v => (float)v).ToArray());
        Assert.Equal(Math.Log(probabilities[3] / probabilities[2]), z2[1] - z2[0], 3);
    }

    [Fact]
    public void Streaming_Step_gives_the_same_outputs_as_the_full_sequence_Forward()
    {
        var model = new PeepholeLstmNet(seed: 3);
        const int batch = 2, steps = 6;
        var inputs = TestData.Uniform(batch * steps * 3, 4);
        var full = new float[batch * steps * 2];
        model.Forward(inputs, full, batch, steps);

        model.ResetState();
        var step = new float[batch * 2];
        var stepInput = new float[batch * 3];
        for (var t = 0; t < steps; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                inputs.AsSpan(((b * steps) + t) * 3, 3).CopyTo(stepInput.AsSpan(b * 3));
            }

            model.Step(stepInput, step, batch);
            for (var b = 0; b < batch; b++)
            {
                Assert.Equal(full[(((b * steps) + t) * 2)], step[b * 2], 5);
                Assert.Equal(full[(((b * steps) + t) * 2) + 1], step[(b * 2) + 1], 5);
            }
        }
    }

    [Fact]
    public void Step_updates_coupled_peephole_lstm_state_in_place_like_the_full_sequence()
    {
        // The LSTM step path reads and writes the carried state in place; a mixed stack takes the general path too.
        AssertStepMatchesForward(new CoupledPeepholeLstmNet(seed: 8), new CoupledPeepholeLstmNet(seed: 8), 3, 6, 3, 2, sequenceOutput: true);
        AssertStepMatchesForward(new StackedRnnNet(seed: 9), new StackedRnnNet(seed: 9), 3, 5, 3, 2, sequenceOutput: false);
    }

    [Fact]
    public void Backward_after_a_streaming_Step_is_refused()
    {
        var model = new LstmNet(seed: 2);
        model.Step(new float[3], new float[2]);
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[2]));
    }

    /// <summary>Steps t = 0 … T − 1 from a reset state give what a fresh model's Forward gives on the first t + 1 steps.</summary>
    private static void AssertStepMatchesForward(ISequenceModel streaming, ISequenceModel reference, int batch, int steps, int features, int outputs, bool sequenceOutput)
    {
        var inputs = TestData.Uniform(batch * steps * features, 12);
        var stepInput = new float[batch * features];
        var stepOutput = new float[batch * outputs];
        streaming.ResetState();
        for (var t = 0; t < steps; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                inputs.AsSpan(((b * steps) + t) * features, features).CopyTo(stepInput.AsSpan(b * features));
            }

            ((dynamic)streaming).Step(stepInput, stepOutput, batch);
            var prefix = new float[batch * (t + 1) * features];
            for (var b = 0; b < batch; b++)
            {
                inputs.AsSpan(b * steps * features, (t + 1) * features).CopyTo(prefix.AsSpan(b * (t + 1) * features));
            }

            var full = new float[batch * (sequenceOutput ? t + 1 : 1) * outputs];
            reference.Forward(prefix, full, batch, t + 1);
            for (var b = 0; b < batch; b++)
            {
                var last = sequenceOutput ? ((b * (t + 1)) + t) * outputs : b * outputs;
                for (var o = 0; o < outputs; o++)
                {
                    Assert.Equal(full[last + o], stepOutput[(b * outputs) + o], 5);
                }
            }
        }
    }

    [Fact]
    public void Carrying_state_over_chunks_equals_one_long_sequence()
    {
        var model = new GruNet(seed: 5);
        const int steps = 6;
        var inputs = TestData.Uniform(steps * 3, 6);
        var full = new float[steps * 2];
        model.Forward(inputs, full, 1, steps);

        model.ResetState();
        model.CarryState = true;
        var first = new float[3 * 2];
        var second = new float[3 * 2];
        model.Forward(inputs.AsSpan(0, 9), first, 1, 3);
        model.Forward(inputs.AsSpan(9, 9), second, 1, 3);

        AssertClose(full.Select(v => (double)v).ToArray(), first.Concat(second).ToArray());
    }

    [Fact]
    public void Hello_character_model_learns_to_predict_ello_from_hell()
    {
        // Vocabulary [h, e, l, o]; input "hell", target "ello", one-hot.
        int[] input = { 0, 1, 2, 2 }, target = { 1, 2, 2, 3 };
        var x = OneHot(input);
        var y = OneHot(target);
        var model = new HelloRnn(seed: 1);
        var optimizer = new Adam(0.05f);
        for (var i = 0; i < 200; i++)
        {
            model.TrainStep(x, y, 1, optimizer);
        }

        var probabilities = new float[16];
        model.Forward(x, probabilities);
        var predicted = Enumerable.Range(0, 4).Select(t => probabilities.AsSpan(t * 4, 4).IndexOf(probabilities.AsSpan(t * 4, 4).ToArray().Max())).ToArray();
        Assert.Equal("ello", new string(predicted.Select(i => "helo"[i]).ToArray()));
    }

    [Fact]
    public void Forward_TrainStep_and_Step_allocate_nothing()
    {
        var lstm = new RecurrentDropoutNet(seed: 1);
        var embedding = new EmbeddingGruNet(seed: 1);
        var inputs = TestData.Uniform(4 * 6 * 3, 1);
        var tokens = RecurrentGradientTestsAccess.Tokens(4 * 6, 7, 2);
        var targets = TestData.Uniform(4 * 2, 3);
        var tokenTargets = TestData.OneHot(4 * 6, 7, 4);
        var outputs = new float[4 * 2];
        var tokenOutputs = new float[4 * 6 * 7];
        var stepOutputs = new float[4 * 7];
        var optimizer = new Adam(1e-3f);
        var optimizer2 = new Adam(1e-3f);

        Assert.Equal(0, Allocations.AfterWarmUp(() =>
        {
            lstm.TrainStep(inputs, targets, 4, optimizer);
            lstm.Forward(inputs, outputs, 4);
            embedding.TrainStep(tokens, tokenTargets, 4, optimizer2);
            embedding.Forward(tokens, tokenOutputs, 4);
            embedding.Step(tokens.AsSpan(0, 4), stepOutputs, 4);
        }));
    }

    [Fact]
    public void Invalid_token_ids_and_lengths_throw_before_anything_changes()
    {
        var model = new EmbeddingGruNet(seed: 1);
        var parameters = model.Parameters.ToArray();
        var tokens = RecurrentGradientTestsAccess.Tokens(6, 7, 5);
        tokens[3] = 7;

        Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(tokens, new float[6 * 7], 1, new Sgd(0.1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new float[7], new float[7 * 7], 1, 7));
        Assert.ThrowsAny<ArgumentException>(() => model.Forward(new float[5], new float[6 * 7], 1, 6));
        Assert.Equal(parameters, model.Parameters.ToArray());
    }

    [Fact]
    public void Parameter_counts_follow_pytorch_layouts()
    {
        // nn.LSTM(3, 4): 4·4·3 + 4·4·4 + 2·16 = 144; nn.GRU(3, 4): 3·4·3 + 3·4·4 + 2·12 = 108.
        Assert.Equal(144 + 10, LstmNet.ParameterCount);
        Assert.Equal(108 + 10, ClassicGruNet.ParameterCount);
        Assert.Equal(144 + 12 + 10, PeepholeLstmNet.ParameterCount);
        Assert.Equal(108 + 10, CoupledLstmNet.ParameterCount); // coupled: 3 gates, no input gate
        Assert.Contains("lstm1 (LSTM)", new LstmNet().Summary());
    }

    private static float[] OneHot(int[] ids)
    {
        var result = new float[ids.Length * 4];
        for (var i = 0; i < ids.Length; i++)
        {
            result[(i * 4) + ids[i]] = 1;
        }

        return result;
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 4);
        }
    }
}

internal static class RecurrentGradientTestsAccess
{
    public static float[] Tokens(int count, int vocabulary, ulong seed) => Gradients.RecurrentGradientTests.Tokens(count, vocabulary, seed);
}
