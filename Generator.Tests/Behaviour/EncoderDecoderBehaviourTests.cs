using ModelGen.Optimizers;
using ModelGen.Tests.Gradients;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// Generation, teacher forcing, state hand-over, training, argument checks and persistence of generated
/// encoder–decoder and one-to-many models.
/// </summary>
public sealed class EncoderDecoderBehaviourTests : IDisposable
{
    private const int Batch = 3;

    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-seq2seq-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Decode is a loop of Step calls fed each example's argmax; an independent loop must give the same tokens and lengths.</summary>
    [Fact]
    public void Greedy_Decode_equals_stepwise_decoding_with_one_hot_feedback()
    {
        var model = new LstmSeq2Seq(seed: 7);
        var sawEarlyEnd = false;
        var sawFullLength = false;
        foreach (var inputSteps in new[] { 1, 3, 5 })
        {
            var inputs = TestData.Uniform(Batch * inputSteps * LstmSeq2Seq.InputSize, (ulong)(100 + inputSteps), scale: 2f);
            for (var start = 0; start < LstmSeq2Seq.DecoderInputSize; start++)
            {
                for (var end = 0; end < LstmSeq2Seq.OutputSize; end++)
                {
                    // Longer than MaxOutputLength: Decode runs one step at a time, so it is not bound by it.
                    const int maxLength = 6;
                    var tokens = new int[Batch * maxLength];
                    var lengths = new int[Batch];
                    model.Decode(inputs, tokens, lengths, Batch, inputSteps, start, end);

                    var expected = GreedyByStep(
                        () => model.Encode(inputs, Batch, inputSteps),
                        (input, output) => model.Step(input, output, Batch),
                        maxLength, start, end, LstmSeq2Seq.DecoderInputSize, LstmSeq2Seq.OutputSize, oneHot: true);

                    Assert.Equal(expected.Tokens, tokens);
                    Assert.Equal(expected.Lengths, lengths);
                    AssertPaddingContract(tokens, lengths, maxLength, end);
                    sawEarlyEnd |= lengths.Any(l => l > 0 && l < maxLength);
                    sawFullLength |= lengths.Any(l => l == maxLength);
                }
            }
        }

        Assert.True(sawEarlyEnd, "no example ended early; the test does not cover the end-token bookkeeping");
        Assert.True(sawFullLength, "every example ended early; the test does not cover running to the maximum length");
    }

    /// <summary>The same with an embedding reading the fed-back token id.</summary>
    [Fact]
    public void Greedy_Decode_equals_stepwise_decoding_with_token_id_feedback()
    {
        var model = new GruSeq2Seq(seed: 8);
        var sawEarlyEnd = false;
        var sawFullLength = false;
        foreach (var inputSteps in new[] { 1, 2, 5 })
        {
            var inputs = RecurrentGradientTests.Tokens(Batch * inputSteps, 6, (ulong)(200 + inputSteps));
            foreach (var start in new[] { 0, 3, 5 })
            {
                for (var end = 0; end < GruSeq2Seq.OutputSize; end++)
                {
                    const int maxLength = 5;
                    var tokens = new int[Batch * maxLength];
                    var lengths = new int[Batch];
                    model.Decode(inputs, tokens, lengths, Batch, inputSteps, start, end);

                    var expected = GreedyByStep(
                        () => model.Encode(inputs, Batch, inputSteps),
                        (input, output) => model.Step(input, output, Batch),
                        maxLength, start, end, GruSeq2Seq.DecoderInputSize, GruSeq2Seq.OutputSize, oneHot: false);

                    Assert.Equal(expected.Tokens, tokens);
                    Assert.Equal(expected.Lengths, lengths);
                    AssertPaddingContract(tokens, lengths, maxLength, end);
                    sawEarlyEnd |= lengths.Any(l => l > 0 && l < maxLength);
                    sawFullLength |= lengths.Any(l => l == maxLength);
                }
            }
        }

        Assert.True(sawEarlyEnd && sawFullLength, $"early end seen: {sawEarlyEnd}, full length seen: {sawFullLength}");
    }

    /// <summary>One-to-many models decode too: the input vector seeds the state, the rest is the same loop.</summary>
    [Fact]
    public void Greedy_Decode_of_a_one_to_many_model_equals_stepwise_decoding()
    {
        var model = new VectorToSequence(seed: 9);
        var inputs = TestData.Uniform(Batch * VectorToSequence.InputSize, 300, scale: 3f);
        for (var end = 0; end < VectorToSequence.OutputSize; end++)
        {
            const int maxLength = 4;
            var tokens = new int[Batch * maxLength];
            var lengths = new int[Batch];
            model.Decode(inputs, tokens, lengths, Batch, 1, end);

            var expected = GreedyByStep(
                () => model.Encode(inputs, Batch),
                (input, output) => model.Step(input, output, Batch),
                maxLength, 1, end, VectorToSequence.DecoderInputSize, VectorToSequence.OutputSize, oneHot: true);
            Assert.Equal(expected.Tokens, tokens);
            Assert.Equal(expected.Lengths, lengths);
            AssertPaddingContract(tokens, lengths, maxLength, end);
        }
    }

    /// <summary>Teacher forcing runs the whole decoder sequence at once; Encode then Step per row must match it.</summary>
    [Fact]
    public void Teacher_forced_Forward_equals_Encode_then_Step_per_step()
    {
        foreach (var inputSteps in new[] { 2, 5 })
        {
            const int outputSteps = 4;
            var lstm = new LstmSeq2Seq(seed: 10);
            var inputs = TestData.Uniform(Batch * inputSteps * LstmSeq2Seq.InputSize, 11);
            var decoderInputs = TestData.OneHot(Batch * outputSteps, LstmSeq2Seq.DecoderInputSize, 12);
            AssertTeacherForcingMatchesSteps(
                decoderInputs, outputSteps, LstmSeq2Seq.DecoderInputSize, LstmSeq2Seq.OutputSize,
                outputs => lstm.Forward(inputs, decoderInputs, outputs, Batch, inputSteps, outputSteps),
                () => lstm.Encode(inputs, Batch, inputSteps),
                (input, output) => lstm.Step(input, output, Batch));
        }

        var gru = new GruSeq2Seq(seed: 13);
        var tokenInputs = RecurrentGradientTests.Tokens(Batch * 4, 6, 14);
        var tokenDecoderInputs = RecurrentGradientTests.Tokens(Batch * 3, 6, 15);
        AssertTeacherForcingMatchesSteps(
            tokenDecoderInputs, 3, GruSeq2Seq.DecoderInputSize, GruSeq2Seq.OutputSize,
            outputs => gru.Forward(tokenInputs, tokenDecoderInputs, outputs, Batch, 4, 3),
            () => gru.Encode(tokenInputs, Batch, 4),
            (input, output) => gru.Step(input, output, Batch));

        var rnn = new RnnSeq2Seq(seed: 16);
        var rnnInputs = TestData.Uniform(Batch * 5 * 2, 17);
        var rnnDecoderInputs = TestData.Uniform(Batch * 3 * 2, 18);
        AssertTeacherForcingMatchesSteps(
            rnnDecoderInputs, 3, RnnSeq2Seq.DecoderInputSize, RnnSeq2Seq.OutputSize,
            outputs => rnn.Forward(rnnInputs, rnnDecoderInputs, outputs, Batch, 5, 3),
            () => rnn.Encode(rnnInputs, Batch, 5),
            (input, output) => rnn.Step(input, output, Batch));
    }

    /// <summary>The one-to-many models: the input vector (through dense layers or directly) seeds the decoder.</summary>
    [Fact]
    public void One_to_many_teacher_forced_Forward_equals_Encode_then_Step()
    {
        var vector = new VectorToSequence(seed: 19);
        var inputs = TestData.Uniform(Batch * VectorToSequence.InputSize, 20);
        var decoderInputs = TestData.OneHot(Batch * 4, VectorToSequence.DecoderInputSize, 21);
        AssertTeacherForcingMatchesSteps(
            decoderInputs, 4, VectorToSequence.DecoderInputSize, VectorToSequence.OutputSize,
            outputs => vector.Forward(inputs, decoderInputs, outputs, Batch, 4),
            () => vector.Encode(inputs, Batch),
            (input, output) => vector.Step(input, output, Batch));

        var direct = new DirectVectorToSequence(seed: 22);
        var directInputs = TestData.Uniform(Batch * DirectVectorToSequence.InputSize, 23);
        var directDecoderInputs = TestData.OneHot(Batch * 3, DirectVectorToSequence.DecoderInputSize, 24);
        AssertTeacherForcingMatchesSteps(
            directDecoderInputs, 3, DirectVectorToSequence.DecoderInputSize, DirectVectorToSequence.OutputSize,
            outputs => direct.Forward(directInputs, directDecoderInputs, outputs, Batch, 3),
            () => direct.Encode(directInputs, Batch),
            (input, output) => direct.Step(input, output, Batch));

        var summary = new SummaryToSequence(seed: 25);
        var summaryInputs = TestData.Uniform(Batch * 4 * SummaryToSequence.InputSize, 26);
        var summaryDecoderInputs = TestData.OneHot(Batch * 4, SummaryToSequence.DecoderInputSize, 27);
        AssertTeacherForcingMatchesSteps(
            summaryDecoderInputs, 4, SummaryToSequence.DecoderInputSize, SummaryToSequence.OutputSize,
            outputs => summary.Forward(summaryInputs, summaryDecoderInputs, outputs, Batch, 4, 4),
            () => summary.Encode(summaryInputs, Batch, 4),
            (input, output) => summary.Step(input, output, Batch));
    }

    /// <summary>At MaxBatchSize, MaxSequenceLength and MaxOutputLength every buffer is full: teacher forcing still matches Step, training runs.</summary>
    [Fact]
    public void Full_batch_and_longest_sequences_fit_the_buffers()
    {
        const int full = LstmSeq2Seq.MaxBatchSize;
        var lstm = new LstmSeq2Seq(seed: 27);
        var inputs = TestData.Uniform(full * LstmSeq2Seq.MaxSequenceLength * 3, 28);
        var decoderInputs = TestData.OneHot(full * LstmSeq2Seq.MaxOutputLength, 3, 29);
        var targets = TestData.OneHot(full * LstmSeq2Seq.MaxOutputLength, 3, 30);
        AssertTeacherForcingMatchesSteps(
            decoderInputs, LstmSeq2Seq.MaxOutputLength, 3, 3,
            outputs => lstm.Forward(inputs, decoderInputs, outputs, full, LstmSeq2Seq.MaxSequenceLength, LstmSeq2Seq.MaxOutputLength),
            () => lstm.Encode(inputs, full, LstmSeq2Seq.MaxSequenceLength),
            (input, output) => lstm.Step(input, output, full),
            full);
        Assert.True(float.IsFinite(lstm.TrainStep(inputs, decoderInputs, targets, full, LstmSeq2Seq.MaxSequenceLength, LstmSeq2Seq.MaxOutputLength, new Adam(0.01f))));

        var gru = new GruSeq2Seq(seed: 31);
        var tokenInputs = RecurrentGradientTests.Tokens(full * GruSeq2Seq.MaxSequenceLength, 6, 32);
        var tokenDecoderInputs = RecurrentGradientTests.Tokens(full * GruSeq2Seq.MaxOutputLength, 6, 33);
        AssertTeacherForcingMatchesSteps(
            tokenDecoderInputs, GruSeq2Seq.MaxOutputLength, 1, 6,
            outputs => gru.Forward(tokenInputs, tokenDecoderInputs, outputs, full, GruSeq2Seq.MaxSequenceLength, GruSeq2Seq.MaxOutputLength),
            () => gru.Encode(tokenInputs, full, GruSeq2Seq.MaxSequenceLength),
            (input, output) => gru.Step(input, output, full),
            full);

        var dropout = new DropoutSeq2Seq(seed: 34);
        var dropoutInputs = TestData.Uniform(full * DropoutSeq2Seq.MaxSequenceLength * 3, 35);
        var dropoutDecoderInputs = TestData.OneHot(full * DropoutSeq2Seq.MaxOutputLength, 3, 36);
        dropout.ComputeGradients(dropoutInputs, dropoutDecoderInputs, TestData.OneHot(full * DropoutSeq2Seq.MaxOutputLength, 3, 37), full, DropoutSeq2Seq.MaxSequenceLength, DropoutSeq2Seq.MaxOutputLength);
        AssertTeacherForcingMatchesSteps(
            dropoutDecoderInputs, DropoutSeq2Seq.MaxOutputLength, 3, 3,
            outputs => dropout.Forward(dropoutInputs, dropoutDecoderInputs, outputs, full, DropoutSeq2Seq.MaxSequenceLength, DropoutSeq2Seq.MaxOutputLength),
            () => dropout.Encode(dropoutInputs, full, DropoutSeq2Seq.MaxSequenceLength),
            (input, output) => dropout.Step(input, output, full),
            full);

        var direct = new DirectVectorToSequence(seed: 38);
        var vectors = TestData.Uniform(full * DirectVectorToSequence.InputSize, 39);
        var directDecoderInputs = TestData.OneHot(full * DirectVectorToSequence.MaxOutputLength, 3, 40);
        AssertTeacherForcingMatchesSteps(
            directDecoderInputs, DirectVectorToSequence.MaxOutputLength, 3, 3,
            outputs => direct.Forward(vectors, directDecoderInputs, outputs, full, DirectVectorToSequence.MaxOutputLength),
            () => direct.Encode(vectors, full),
            (input, output) => direct.Step(input, output, full),
            full);
    }

    /// <summary>Each pass starts the encoder from zeros: a short input after a long one is unaffected by it, and the output depends on the input length.</summary>
    [Fact]
    public void Forward_accepts_any_input_length_without_stale_state()
    {
        var model = new LstmSeq2Seq(seed: 30);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 31);
        var longInputs = TestData.Uniform(Batch * 5 * 3, 32);
        var shortInputs = PrefixSteps(longInputs, Batch, 5, 2, 3);
        var longOutputs = new float[Batch * 4 * 3];
        var shortOutputs = new float[Batch * 4 * 3];
        var freshShortOutputs = new float[Batch * 4 * 3];

        model.Forward(longInputs, decoderInputs, longOutputs, Batch, 5, 4);
        model.Forward(shortInputs, decoderInputs, shortOutputs, Batch, 2, 4);
        new LstmSeq2Seq(seed: 30).Forward(shortInputs, decoderInputs, freshShortOutputs, Batch, 2, 4);

        Assert.Equal(freshShortOutputs, shortOutputs);
        Assert.True(MaxDifference(longOutputs, shortOutputs) > 1e-4f, "the encoder's last three steps changed nothing");
        Assert.All(shortOutputs, v => Assert.True(float.IsFinite(v)));
    }

    /// <summary>
    /// Encode copies each encoder layer's final state (h and c) onto its decoder partner in RecurrentState, and the
    /// decoder's next Step starts from exactly what RecurrentState holds.
    /// </summary>
    [Fact]
    public void Encode_hands_the_encoder_final_state_to_the_decoder()
    {
        // LstmSeq2Seq's carry: lstm1 h, c | lstm2 h, c | lstm3 h, c | lstm4 h, c, each MaxBatchSize × 4.
        const int block = LstmSeq2Seq.MaxBatchSize * 4;
        var model = new LstmSeq2Seq(seed: 33);
        var a = TestData.Uniform(Batch * 4 * 3, 34);
        var b = TestData.Uniform(Batch * 4 * 3, 35);
        model.Encode(a, Batch, 4);
        var state = model.RecurrentState;
        for (var part = 0; part < 4; part++)
        {
            var encoder = state.Slice(part * block, Batch * 4).ToArray();
            var decoder = state.Slice((4 + part) * block, Batch * 4).ToArray();
            Assert.Equal(encoder, decoder);
            Assert.Contains(encoder, v => v != 0);
        }

        var stateA = model.RecurrentState.ToArray();
        var input = TestData.OneHot(Batch, 3, 36);
        var expected = new float[Batch * 3];
        model.Step(input, expected, Batch);

        // Encode another input, then put A's state back: the decoder must continue from it alone.
        model.Encode(b, Batch, 4);
        stateA.CopyTo(model.RecurrentState);
        var actual = new float[Batch * 3];
        model.Step(input, actual, Batch);
        Assert.Equal(expected, actual);
    }

    /// <summary>Without recurrent encoder layers the input vector itself is the first GRU's state; the second starts from zeros.</summary>
    [Fact]
    public void Encode_of_a_vector_sets_the_first_decoder_state_and_clears_the_rest()
    {
        var model = new DirectVectorToSequence(seed: 37);
        model.RecurrentState.Fill(9f);
        var inputs = TestData.Uniform(Batch * 5, 38);
        model.Encode(inputs, Batch);

        Assert.Equal(inputs, model.RecurrentState.Slice(0, Batch * 5).ToArray());
        Assert.All(model.RecurrentState.Slice(DirectVectorToSequence.MaxBatchSize * 5).ToArray(), v => Assert.Equal(0f, v));
    }

    /// <summary>Through a tanh dense layer: h0 = tanh(W x + b), and the LSTM's cell starts from zeros.</summary>
    [Fact]
    public void Encode_of_a_vector_through_dense_sets_h_from_the_dense_output_and_c_to_zero()
    {
        var model = new VectorToSequence(seed: 39);
        model.RecurrentState.Fill(9f);
        TestData.Uniform(5, 40).CopyTo(model.Dense1Bias);
        var inputs = TestData.Uniform(Batch * 4, 41);
        model.Encode(inputs, Batch);

        var weight = model.Dense1Weight.ToArray();
        var bias = model.Dense1Bias.ToArray();
        for (var b = 0; b < Batch; b++)
        {
            for (var j = 0; j < 5; j++)
            {
                double sum = bias[j];
                for (var i = 0; i < 4; i++)
                {
                    sum += weight[(j * 4) + i] * inputs[(b * 4) + i];
                }

                Assert.Equal(Math.Tanh(sum), model.RecurrentState[(b * 5) + j], 5);
            }
        }

        Assert.All(model.RecurrentState.Slice(VectorToSequence.MaxBatchSize * 5, Batch * 5).ToArray(), v => Assert.Equal(0f, v));
    }

    /// <summary>Backward after an inference Forward gives ComputeGradients' loss and gradients, and may be repeated.</summary>
    [Fact]
    public void Backward_after_Forward_equals_ComputeGradients_and_is_repeatable()
    {
        var inputs = TestData.Uniform(Batch * 5 * 3, 42);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 43);
        var targets = TestData.OneHot(Batch * 4, 3, 44);
        var reference = new LstmSeq2Seq(seed: 45);
        var expectedLoss = reference.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4);
        var expectedGradients = reference.Gradients.ToArray();

        var model = new LstmSeq2Seq(seed: 45);
        model.Forward(inputs, decoderInputs, new float[Batch * 4 * 3], Batch, 5, 4);
        Assert.Equal(expectedLoss, model.Backward(targets), 6);
        AssertClose(expectedGradients, model.Gradients.ToArray(), 1e-6f);
        Assert.Equal(expectedLoss, model.Backward(targets), 6);
        AssertClose(expectedGradients, model.Gradients.ToArray(), 1e-6f);
    }

    /// <summary>Reversing three symbols: teacher-forced training with Adam, then greedy decoding reproduces the reversal.</summary>
    [Fact]
    public void Training_learns_to_reverse_three_symbols_and_Decode_reproduces_it()
    {
        const int symbols = 4, startToken = 4, endToken = 5, vocabulary = 6, count = 64;
        var inputs = new float[count * 3 * vocabulary];
        var decoderInputs = new float[count * 4 * vocabulary];
        var targets = new float[count * 4 * vocabulary];
        var expected = new int[count][];
        for (var n = 0; n < count; n++)
        {
            int[] sequence = { n % symbols, (n / symbols) % symbols, n / (symbols * symbols) };
            expected[n] = sequence.Reverse().ToArray();
            for (var t = 0; t < 3; t++)
            {
                inputs[(((n * 3) + t) * vocabulary) + sequence[t]] = 1;
            }

            int[] fed = { startToken, expected[n][0], expected[n][1], expected[n][2] };
            int[] wanted = { expected[n][0], expected[n][1], expected[n][2], endToken };
            for (var t = 0; t < 4; t++)
            {
                decoderInputs[(((n * 4) + t) * vocabulary) + fed[t]] = 1;
                targets[(((n * 4) + t) * vocabulary) + wanted[t]] = 1;
            }
        }

        var model = new SymbolReverser(seed: 1);
        var optimizer = new Adam(0.03f);
        var initialLoss = model.ComputeLoss(inputs, decoderInputs, targets, count, 3, 4);
        for (var i = 0; i < 100; i++)
        {
            model.TrainStep(inputs, decoderInputs, targets, count, 3, 4, optimizer);
        }

        var loss = model.ComputeLoss(inputs, decoderInputs, targets, count, 3, 4);
        Assert.True(loss < 0.1f, $"loss {initialLoss} -> {loss}");

        const int maxLength = 6;
        var tokens = new int[count * maxLength];
        var lengths = new int[count];
        model.Decode(inputs, tokens, lengths, count, 3, startToken, endToken);
        var correct = Enumerable.Range(0, count).Count(n => lengths[n] == 3 && tokens.AsSpan(n * maxLength, 3).SequenceEqual(expected[n]));
        Assert.True(correct >= count * 9 / 10, $"{correct} of {count} reversed exactly (loss {loss})");
        AssertPaddingContract(tokens, lengths, maxLength, endToken);
    }

    /// <summary>Every bad argument throws its exception before anything changes: after them, Backward of the earlier Forward still works.</summary>
    [Fact]
    public void Bad_arguments_throw_before_anything_changes()
    {
        var inputs = TestData.Uniform(Batch * 5 * 3, 50);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 51);
        var targets = TestData.OneHot(Batch * 4, 3, 52);
        var outputs = new float[Batch * 4 * 3];
        var reference = new LstmSeq2Seq(seed: 53);
        var expectedLoss = reference.ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4);
        var expectedGradients = reference.Gradients.ToArray();

        var model = new LstmSeq2Seq(seed: 53);
        model.Forward(inputs, decoderInputs, outputs, Batch, 5, 4);
        var forwardOutputs = outputs.ToArray();
        var parameters = model.Parameters.ToArray();
        var optimizer = new Adam(0.1f);
        var tokens = new int[Batch * 4];
        var lengths = new int[Batch];
        var stepOutputs = new float[Batch * 3];

        // Lengths of the spans.
        AssertArgument("inputs", () => model.Forward(inputs.AsSpan(1), decoderInputs, outputs, Batch, 5, 4));
        AssertArgument("decoderInputs", () => model.Forward(inputs, decoderInputs.AsSpan(3), outputs, Batch, 5, 4));
        AssertArgument("outputs", () => model.Forward(inputs, decoderInputs, new float[(Batch * 4 * 3) + 3], Batch, 5, 4));
        AssertArgument("targets", () => model.ComputeLoss(inputs, decoderInputs, targets.AsSpan(3), Batch, 5, 4));
        AssertArgument("targets", () => model.ComputeGradients(inputs, decoderInputs, targets.AsSpan(3), Batch, 5, 4));
        AssertArgument("targets", () => model.TrainStep(inputs, decoderInputs, targets.AsSpan(3), Batch, 5, 4, optimizer));
        AssertArgument("decoderInputs", () => model.TrainStep(inputs, decoderInputs, targets, Batch, 5, 3, optimizer));
        AssertArgument("inputs", () => model.Encode(inputs, Batch, 4));
        AssertArgument("decoderInputs", () => model.Step(new float[Batch * 4], stepOutputs, Batch));
        AssertArgument("outputs", () => model.Step(new float[Batch * 3], new float[Batch * 2], Batch));
        AssertArgument("targets", () => model.Backward(targets.AsSpan(0, Batch * 3 * 3)));
        Assert.Throws<ArgumentNullException>(() => model.TrainStep(inputs, decoderInputs, targets, Batch, 5, 4, null!));

        // Batch size and sequence lengths.
        foreach (var batch in new[] { 0, -1, LstmSeq2Seq.MaxBatchSize + 1 })
        {
            AssertOutOfRange("batchSize", "MaxBatchSize", () => model.Forward(inputs, decoderInputs, outputs, batch, 5, 4));
            AssertOutOfRange("batchSize", "MaxBatchSize", () => model.TrainStep(inputs, decoderInputs, targets, batch, 5, 4, optimizer));
            AssertOutOfRange("batchSize", "MaxBatchSize", () => model.Encode(inputs, batch, 5));
            AssertOutOfRange("batchSize", "MaxBatchSize", () => model.Step(new float[Batch * 3], stepOutputs, batch));
            AssertOutOfRange("batchSize", "MaxBatchSize", () => model.Decode(inputs, tokens, lengths, batch, 5, 0, 1));
        }

        foreach (var outputSteps in new[] { 0, LstmSeq2Seq.MaxOutputLength + 1 })
        {
            AssertOutOfRange("outputSteps", "MaxOutputLength", () => model.Forward(inputs, new float[Batch * outputSteps * 3], new float[Batch * outputSteps * 3], Batch, 5, outputSteps));
            AssertOutOfRange("outputSteps", "MaxOutputLength", () => model.ComputeGradients(inputs, new float[Batch * outputSteps * 3], new float[Batch * outputSteps * 3], Batch, 5, outputSteps));
        }

        foreach (var inputSteps in new[] { 0, LstmSeq2Seq.MaxSequenceLength + 1 })
        {
            var longInputs = new float[Batch * inputSteps * 3];
            AssertOutOfRange(null, "MaxSequenceLength", () => model.Forward(longInputs, decoderInputs, outputs, Batch, inputSteps, 4));
            AssertOutOfRange(null, "MaxSequenceLength", () => model.TrainStep(longInputs, decoderInputs, targets, Batch, inputSteps, 4, optimizer));
            AssertOutOfRange(null, "MaxSequenceLength", () => model.Encode(longInputs, Batch, inputSteps));
            AssertOutOfRange(null, "MaxSequenceLength", () => model.Decode(longInputs, tokens, lengths, Batch, inputSteps, 0, 1));
        }

        // Decode's own spans and tokens; nothing is written to them on failure.
        Array.Fill(tokens, -7);
        Array.Fill(lengths, -7);
        AssertArgument("tokens", () => model.Decode(inputs, new int[(Batch * 4) + 1], lengths, Batch, 5, 0, 1));
        AssertArgument("tokens", () => model.Decode(inputs, Array.Empty<int>(), lengths, Batch, 5, 0, 1));
        AssertArgument("lengths", () => model.Decode(inputs, tokens, new int[Batch - 1], Batch, 5, 0, 1));
        AssertArgument("lengths", () => model.Decode(inputs, tokens, new int[Batch + 1], Batch, 5, 0, 1));
        AssertOutOfRange("startToken", "start token", () => model.Decode(inputs, tokens, lengths, Batch, 5, 3, 1));
        AssertOutOfRange("startToken", "start token", () => model.Decode(inputs, tokens, lengths, Batch, 5, -1, 1));
        AssertOutOfRange("endToken", "end token", () => model.Decode(inputs, tokens, lengths, Batch, 5, 0, 3));
        AssertOutOfRange("endToken", "end token", () => model.Decode(inputs, tokens, lengths, Batch, 5, 0, -1));
        AssertArgument("inputs", () => model.Decode(inputs.AsSpan(3), tokens, lengths, Batch, 5, 0, 1));
        Assert.All(tokens, t => Assert.Equal(-7, t));
        Assert.All(lengths, l => Assert.Equal(-7, l));

        // Nothing moved: the parameters, and the state Backward needs from the Forward above.
        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(expectedLoss, model.Backward(targets), 6);
        AssertClose(expectedGradients, model.Gradients.ToArray(), 1e-6f);
        model.Forward(inputs, decoderInputs, outputs, Batch, 5, 4);
        Assert.Equal(forwardOutputs, outputs);
    }

    /// <summary>Token ids are checked on both sides before anything runs.</summary>
    [Fact]
    public void Invalid_token_ids_throw_before_anything_changes()
    {
        var model = new GruSeq2Seq(seed: 54);
        var inputs = RecurrentGradientTests.Tokens(Batch * 5, 6, 55);
        var decoderInputs = RecurrentGradientTests.Tokens(Batch * 4, 6, 56);
        var targets = TestData.OneHot(Batch * 4, 6, 57);
        var expectedLoss = new GruSeq2Seq(seed: 54).ComputeGradients(inputs, decoderInputs, targets, Batch, 5, 4);
        model.Forward(inputs, decoderInputs, new float[Batch * 4 * 6], Batch, 5, 4);
        var parameters = model.Parameters.ToArray();
        var optimizer = new Sgd(0.5f);

        var badInputs = inputs.ToArray();
        badInputs[4] = 6;
        var badDecoderInputs = decoderInputs.ToArray();
        badDecoderInputs[2] = -1;
        var fractional = decoderInputs.ToArray();
        fractional[0] = 1.5f;
        Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(badInputs, decoderInputs, targets, Batch, 5, 4, optimizer));
        Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(inputs, badDecoderInputs, targets, Batch, 5, 4, optimizer));
        Assert.ThrowsAny<ArgumentException>(() => model.Forward(inputs, fractional, new float[Batch * 4 * 6], Batch, 5, 4));
        Assert.ThrowsAny<ArgumentException>(() => model.Encode(badInputs, Batch, 5));
        Assert.ThrowsAny<ArgumentException>(() => model.Step(badDecoderInputs.AsSpan(0, Batch), new float[Batch * 6], Batch));
        Assert.ThrowsAny<ArgumentException>(() => model.Decode(badInputs, new int[Batch * 4], new int[Batch], Batch, 5, 0, 1));
        AssertOutOfRange("startToken", "start token", () => model.Decode(inputs, new int[Batch * 4], new int[Batch], Batch, 5, 6, 1));
        AssertOutOfRange("endToken", "end token", () => model.Decode(inputs, new int[Batch * 4], new int[Batch], Batch, 5, 0, 6));

        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.Equal(expectedLoss, model.Backward(targets), 6);
    }

    /// <summary>Backward needs the activations of a teacher-forced pass: not before one, and not after Encode, Step or Decode replaced them.</summary>
    [Fact]
    public void Backward_without_a_teacher_forced_pass_throws_InvalidOperationException()
    {
        var inputs = TestData.Uniform(Batch * 5 * 3, 60);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 61);
        var targets = TestData.OneHot(Batch * 4, 3, 62);
        var model = new LstmSeq2Seq(seed: 63);
        var parameters = model.Parameters.ToArray();

        AssertNeedsForward(() => model.Backward(targets));

        model.Forward(inputs, decoderInputs, new float[Batch * 4 * 3], Batch, 5, 4);
        model.Decode(inputs, new int[Batch * 4], new int[Batch], Batch, 5, 0, 1);
        AssertNeedsForward(() => model.Backward(targets));

        model.Forward(inputs, decoderInputs, new float[Batch * 4 * 3], Batch, 5, 4);
        model.Encode(inputs, Batch, 5);
        AssertNeedsForward(() => model.Backward(targets));

        model.Forward(inputs, decoderInputs, new float[Batch * 4 * 3], Batch, 5, 4);
        model.Step(decoderInputs.AsSpan(0, Batch * 3), new float[Batch * 3], Batch);
        AssertNeedsForward(() => model.Backward(targets));

        Assert.Equal(parameters, model.Parameters.ToArray());
        Assert.All(model.Gradients.ToArray(), g => Assert.Equal(0f, g));

        var vector = new VectorToSequence(seed: 64);
        AssertNeedsForward(() => vector.Backward(TestData.OneHot(Batch * 4, 3, 65)));
        vector.Decode(TestData.Uniform(Batch * 4, 66), new int[Batch * 4], new int[Batch], Batch, 0, 1);
        AssertNeedsForward(() => vector.Backward(TestData.OneHot(Batch * 4, 3, 65)));
    }

    /// <summary>Saved weights reload into a differently seeded model: identical teacher-forced outputs and decoded tokens.</summary>
    [Fact]
    public void Save_and_Load_round_trip_gives_identical_outputs()
    {
        var inputs = TestData.Uniform(Batch * 5 * 3, 70);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 71);
        var trained = new LstmSeq2Seq(seed: 72);
        trained.TrainStep(inputs, decoderInputs, TestData.OneHot(Batch * 4, 3, 73), Batch, 5, 4, new Adam(0.05f));
        var path = Path.Combine(_folder, "seq2seq.safetensors");
        trained.Save(path);

        var loaded = new LstmSeq2Seq(seed: 74);
        Assert.NotEqual(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        loaded.Load(path);

        Assert.Equal(trained.Parameters.ToArray(), loaded.Parameters.ToArray());
        float[] expected = new float[Batch * 4 * 3], actual = new float[Batch * 4 * 3];
        trained.Forward(inputs, decoderInputs, expected, Batch, 5, 4);
        loaded.Forward(inputs, decoderInputs, actual, Batch, 5, 4);
        Assert.Equal(expected, actual);

        int[] expectedTokens = new int[Batch * 6], actualTokens = new int[Batch * 6], expectedLengths = new int[Batch], actualLengths = new int[Batch];
        trained.Decode(inputs, expectedTokens, expectedLengths, Batch, 5, 0, 2);
        loaded.Decode(inputs, actualTokens, actualLengths, Batch, 5, 0, 2);
        Assert.Equal(expectedTokens, actualTokens);
        Assert.Equal(expectedLengths, actualLengths);
    }

    /// <summary>Greedy decoding written out with Encode and Step: each example's argmax is fed back until it emits the end token.</summary>
    private static (int[] Tokens, int[] Lengths) GreedyByStep(Action encode, Action<float[], float[]> step, int maxLength, int startToken, int endToken, int decoderInputSize, int outputSize, bool oneHot)
    {
        var tokens = new int[Batch * maxLength];
        var lengths = Enumerable.Repeat(-1, Batch).ToArray();
        var previous = Enumerable.Repeat(startToken, Batch).ToArray();
        var input = new float[Batch * decoderInputSize];
        var output = new float[Batch * outputSize];
        encode();
        for (var t = 0; t < maxLength && lengths.Any(l => l < 0); t++)
        {
            Array.Clear(input);
            for (var b = 0; b < Batch; b++)
            {
                if (oneHot)
                {
                    input[(b * decoderInputSize) + previous[b]] = 1;
                }
                else
                {
                    input[b] = previous[b];
                }
            }

            step(input, output);
            for (var b = 0; b < Batch; b++)
            {
                var token = endToken;
                if (lengths[b] < 0)
                {
                    token = ArgMax(output.AsSpan(b * outputSize, outputSize));
                    if (token == endToken)
                    {
                        lengths[b] = t;
                    }
                }

                tokens[(b * maxLength) + t] = token;
                previous[b] = token;
            }
        }

        for (var b = 0; b < Batch; b++)
        {
            for (var t = lengths[b] < 0 ? maxLength : lengths[b]; t < maxLength; t++)
            {
                tokens[(b * maxLength) + t] = endToken;
            }

            if (lengths[b] < 0)
            {
                lengths[b] = maxLength;
            }
        }

        return (tokens, lengths);
    }

    /// <summary>Each row: <c>length</c> tokens other than the end token, then end tokens to the row's end.</summary>
    private static void AssertPaddingContract(int[] tokens, int[] lengths, int maxLength, int endToken)
    {
        for (var b = 0; b < lengths.Length; b++)
        {
            Assert.InRange(lengths[b], 0, maxLength);
            var row = tokens.AsSpan(b * maxLength, maxLength);
            Assert.True(row[..lengths[b]].IndexOf(endToken) < 0, $"row {b} holds the end token before its length {lengths[b]}");
            foreach (var token in row[lengths[b]..])
            {
                Assert.Equal(endToken, token);
            }
        }
    }

    private static void AssertTeacherForcingMatchesSteps(float[] decoderInputs, int steps, int decoderInputSize, int outputSize, Action<float[]> forward, Action encode, Action<float[], float[]> step, int batch = Batch)
    {
        var full = new float[batch * steps * outputSize];
        forward(full);
        Assert.Contains(full, v => v != 0);

        encode();
        var input = new float[batch * decoderInputSize];
        var output = new float[batch * outputSize];
        for (var t = 0; t < steps; t++)
        {
            for (var b = 0; b < batch; b++)
            {
                decoderInputs.AsSpan(((b * steps) + t) * decoderInputSize, decoderInputSize).CopyTo(input.AsSpan(b * decoderInputSize));
            }

            step(input, output);
            for (var b = 0; b < batch; b++)
            {
                for (var k = 0; k < outputSize; k++)
                {
                    var expected = full[(((b * steps) + t) * outputSize) + k];
                    var actual = output[(b * outputSize) + k];
                    Assert.True(Math.Abs(expected - actual) <= 1e-5f, $"step {t}, example {b}, output {k}: Forward {expected}, Step {actual}");
                }
            }
        }
    }

    private static float[] PrefixSteps(float[] inputs, int batch, int steps, int prefix, int size)
    {
        var result = new float[batch * prefix * size];
        for (var b = 0; b < batch; b++)
        {
            inputs.AsSpan(b * steps * size, prefix * size).CopyTo(result.AsSpan(b * prefix * size));
        }

        return result;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = MaxDifference(expected, actual);
        Assert.True(worst <= tolerance, $"largest difference {worst}");
    }

    private static void AssertArgument(string name, Action call)
    {
        var exception = Assert.Throws<ArgumentException>(call);
        Assert.Equal(name, exception.ParamName);
        Assert.Contains("'" + name + "'", exception.Message, StringComparison.Ordinal);
    }

    private static void AssertOutOfRange(string? name, string mentioned, Action call)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(call);
        if (name is not null)
        {
            Assert.Equal(name, exception.ParamName);
        }

        Assert.Contains(mentioned, exception.Message, StringComparison.Ordinal);
    }

    private static void AssertNeedsForward(Action call)
    {
        var exception = Assert.Throws<InvalidOperationException>(call);
        Assert.Contains("Forward", exception.Message, StringComparison.Ordinal);
    }
}
