using System.Reflection;
using ModelGen.Kernels;
using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// <c>CreatePredictor</c>: an inference-only copy with the batch-1 dense weights packed in × out. It computes what the
/// model's Forward computes (to the last bits' rounding), keeps the weights it was made with, and allocates nothing
/// per call.
/// </summary>
public sealed class PredictorTests
{
    [Fact]
    public void Cnn_predictor_matches_the_models_forward()
    {
        var model = new ShapesNet(seed: 3);
        AssertMatches(model.Forward, model.Forward, model.CreatePredictor().Forward, model.CreatePredictor().Forward, ShapesNet.InputSize, ShapesNet.OutputSize, 4);
    }

    [Fact]
    public void Mlp_predictor_matches_every_activation()
    {
        var model = new ActivationStackNet(seed: 5);
        var predictor = model.CreatePredictor();
        AssertMatches(model.Forward, model.Forward, predictor.Forward, predictor.Forward, ActivationStackNet.InputSize, ActivationStackNet.OutputSize, 5);
    }

    [Fact]
    public void Batch_norm_predictor_uses_the_running_statistics_it_was_made_with()
    {
        var model = new BatchNormNet(seed: 2);
        var optimizer = new Adam(learningRate: 1e-2f);
        var inputs = TestData.Uniform(8 * BatchNormNet.InputSize, 11);
        var targets = TestData.Uniform(8 * BatchNormNet.OutputSize, 12);
        for (var i = 0; i < 5; i++)
            model.TrainStep(inputs, targets, 8, optimizer);

        var predictor = model.CreatePredictor();
        AssertMatches(model.Forward, model.Forward, predictor.Forward, predictor.Forward, BatchNormNet.InputSize, BatchNormNet.OutputSize, 8);
    }

    [Fact]
    public void A_predictor_keeps_its_weights_when_the_model_trains_on()
    {
        var model = new LogitsNet(seed: 1);
        var predictor = model.CreatePredictor();
        var input = TestData.Uniform(LogitsNet.InputSize, 4);
        var before = new float[LogitsNet.OutputSize];
        predictor.Forward(input, before);

        var optimizer = new Sgd(learningRate: 0.5f);
        var inputs = TestData.Uniform(4 * LogitsNet.InputSize, 5);
        var targets = TestData.OneHot(4, LogitsNet.OutputSize, 6);
        for (var i = 0; i < 3; i++)
            model.TrainStep(inputs, targets, 4, optimizer);
        model.Parameters[0] += 1f;

        var after = new float[LogitsNet.OutputSize];
        predictor.Forward(input, after);
        Assert.Equal(before, after);

        var trained = new float[LogitsNet.OutputSize];
        var fresh = new float[LogitsNet.OutputSize];
        model.Forward(input, trained);
        model.CreatePredictor().Forward(input, fresh);
        Assert.NotEqual(before, trained);
        for (var c = 0; c < trained.Length; c++)
            Assert.Equal(trained[c], fresh[c], 5);
    }

    [Fact]
    public void The_predictors_copy_holds_the_dense_weights_packed_where_supported()
    {
        var predictor = new ShapesNet(seed: 1).CreatePredictor();
        var copy = typeof(ShapesNet.Predictor).GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(predictor)!;
        var packed = (AlignedBuffer)typeof(ShapesNet).GetField("_packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(copy)!;
        Assert.Equal(Linear.PackedSupported ? Linear.PackedLength(64, 2592) + Linear.PackedLength(3, 64) : 0, packed.Length);

        var streaming = new WideStreamingLstm(seed: 1).CreatePredictor();
        var streamingCopy = typeof(WideStreamingLstm.Predictor).GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(streaming)!;
        var streamingPacked = (AlignedBuffer)typeof(WideStreamingLstm).GetField("_packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(streamingCopy)!;
        Assert.Equal(Linear.PackedSupported ? Lstm.PackedLength(160) + Linear.PackedLength(2, 160) : 0, streamingPacked.Length);
        var lstmCopy = (WideStreamingLstm)streamingCopy;
        Assert.Equal(Lstm.PackedStepSupported(160, peepholes: false, coupled: false), (bool)typeof(WideStreamingLstm).GetField("_lstm1Packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(lstmCopy)!);

        var gru = new WideStreamingGru(seed: 1).CreatePredictor();
        var gruCopy = typeof(WideStreamingGru.Predictor).GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(gru)!;
        var gruPacked = (AlignedBuffer)typeof(WideStreamingGru).GetField("_packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(gruCopy)!;
        Assert.Equal(Linear.PackedSupported ? Gru.PackedLength(128) + Linear.PackedLength(2, 128) : 0, gruPacked.Length);
        Assert.Equal(Gru.PackedStepSupported(128, resetAfter: true), (bool)typeof(WideStreamingGru).GetField("_gru1Packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(gruCopy)!);

        var rnn = new StreamingReluRnn(seed: 1).CreatePredictor();
        var rnnCopy = typeof(StreamingReluRnn.Predictor).GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(rnn)!;
        var rnnPacked = (AlignedBuffer)typeof(StreamingReluRnn).GetField("_packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(rnnCopy)!;
        Assert.Equal(Linear.PackedSupported ? SimpleRnn.PackedLength(40) + Linear.PackedLength(2, 40) : 0, rnnPacked.Length);
        Assert.Equal(SimpleRnn.PackedStepSupported, (bool)typeof(StreamingReluRnn).GetField("_rnn1Packed", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(rnnCopy)!);
    }

    [Fact]
    public void Streaming_lstm_predictor_steps_like_the_model_and_keeps_its_own_state()
    {
        var model = new WideStreamingLstm(seed: 4);
        var predictor = model.CreatePredictor();
        AssertStepsLikeTheModel(new(model.Step, model.ResetState, model.Forward), new(predictor.Step, predictor.ResetState, predictor.Forward),
            WideStreamingLstm.InputSize, WideStreamingLstm.OutputSize);
    }

    [Fact]
    public void Streaming_gru_predictor_steps_like_the_model_and_keeps_its_own_state()
    {
        var model = new WideStreamingGru(seed: 6);
        var predictor = model.CreatePredictor();
        AssertStepsLikeTheModel(new(model.Step, model.ResetState, model.Forward), new(predictor.Step, predictor.ResetState, predictor.Forward),
            WideStreamingGru.InputSize, WideStreamingGru.OutputSize);
    }

    public static TheoryData<string> PackedStreamingModels() =>
        new() { nameof(NarrowStreamingLstm), nameof(NarrowStreamingGru), nameof(OddStreamingLstm), nameof(OddStreamingGru), nameof(NarrowStackedStreaming) };

    /// <summary>
    /// Narrow (H = 32, 64), padded (H = 50, 20) and stacked packed recurrent layers: the predictor's copy takes the
    /// packed step wherever the kernels do (its flags), and steps like the model.
    /// </summary>
    [Theory]
    [MemberData(nameof(PackedStreamingModels))]
    public void Packed_streaming_predictor_steps_like_the_model_and_keeps_its_own_state(string name)
    {
        (Streaming model, Streaming predictor, object copy, int inputs, int outputs, (string Flag, bool Supported)[] layers) = name switch
        {
            nameof(NarrowStreamingLstm) => Case(new NarrowStreamingLstm(seed: 5), m => m.CreatePredictor(), m => new(m.Step, m.ResetState, m.Forward), p => new(p.Step, p.ResetState, p.Forward),
                NarrowStreamingLstm.InputSize, NarrowStreamingLstm.OutputSize, ("_lstm1Packed", Lstm.PackedStepSupported(32, false, false))),
            nameof(NarrowStreamingGru) => Case(new NarrowStreamingGru(seed: 7), m => m.CreatePredictor(), m => new(m.Step, m.ResetState, m.Forward), p => new(p.Step, p.ResetState, p.Forward),
                NarrowStreamingGru.InputSize, NarrowStreamingGru.OutputSize, ("_gru1Packed", Gru.PackedStepSupported(64, true))),
            nameof(OddStreamingLstm) => Case(new OddStreamingLstm(seed: 10), m => m.CreatePredictor(), m => new(m.Step, m.ResetState, m.Forward), p => new(p.Step, p.ResetState, p.Forward),
                OddStreamingLstm.InputSize, OddStreamingLstm.OutputSize, ("_lstm1Packed", Lstm.PackedStepSupported(50, false, false))),
            nameof(OddStreamingGru) => Case(new OddStreamingGru(seed: 11), m => m.CreatePredictor(), m => new(m.Step, m.ResetState, m.Forward), p => new(p.Step, p.ResetState, p.Forward),
                OddStreamingGru.InputSize, OddStreamingGru.OutputSize, ("_gru1Packed", Gru.PackedStepSupported(20, true))),
            _ => Case(new NarrowStackedStreaming(seed: 8), m => m.CreatePredictor(), m => new(m.Step, m.ResetState, m.Forward), p => new(p.Step, p.ResetState, p.Forward),
                NarrowStackedStreaming.InputSize, NarrowStackedStreaming.OutputSize,
                ("_lstm1Packed", Lstm.PackedStepSupported(32, false, false)), ("_gru1Packed", Gru.PackedStepSupported(64, true))),
        };
        Assert.All(layers, layer => Assert.True(layer.Supported == Linear.PackedSupported, $"{layer.Flag}: the kernels take this width wherever packing runs"));
        foreach (var (flag, supported) in layers)
            Assert.Equal(supported, (bool)copy.GetType().GetField(flag, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(copy)!);
        AssertStepsLikeTheModel(model, predictor, inputs, outputs);
    }

    private static (Streaming, Streaming, object, int, int, (string, bool)[]) Case<TModel, TPredictor>(TModel model, Func<TModel, TPredictor> create,
        Func<TModel, Streaming> modelSteps, Func<TPredictor, Streaming> predictorSteps, int inputs, int outputs, params (string, bool)[] layers)
        where TPredictor : notnull
    {
        var predictor = create(model);
        var copy = predictor.GetType().GetField("_model", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(predictor)!;
        return (modelSteps(model), predictorSteps(predictor), copy, inputs, outputs, layers);
    }

    [Fact]
    public void Streaming_simple_rnn_predictor_steps_like_the_model_and_keeps_its_own_state()
    {
        var model = new StreamingReluRnn(seed: 2);
        var predictor = model.CreatePredictor();
        AssertStepsLikeTheModel(new(model.Step, model.ResetState, model.Forward), new(predictor.Step, predictor.ResetState, predictor.Forward),
            StreamingReluRnn.InputSize, StreamingReluRnn.OutputSize);
    }

    [Fact]
    public void Encoder_decoder_predictor_forwards_steps_and_decodes_like_the_model_and_keeps_its_weights()
    {
        const int batch = 2, inputSteps = 4, outputSteps = 3, maxLength = 5;
        var model = new LstmSeq2Seq(seed: 9);
        var predictor = model.CreatePredictor();
        var inputs = TestData.Uniform(batch * inputSteps * LstmSeq2Seq.InputSize, 21, scale: 2f);
        var decoderInputs = TestData.Uniform(batch * outputSteps * LstmSeq2Seq.DecoderInputSize, 22);
        float[] expected = new float[batch * outputSteps * LstmSeq2Seq.OutputSize], actual = new float[expected.Length];
        model.Forward(inputs, decoderInputs, expected, batch, inputSteps, outputSteps);
        predictor.Forward(inputs, decoderInputs, actual, batch, inputSteps, outputSteps);
        Assert.Equal(expected, actual);

        float[] stepExpected = new float[batch * LstmSeq2Seq.OutputSize], stepActual = new float[stepExpected.Length];
        model.Encode(inputs, batch, inputSteps);
        predictor.Encode(inputs, batch, inputSteps);
        model.Step(decoderInputs.AsSpan(0, batch * LstmSeq2Seq.DecoderInputSize), stepExpected, batch);
        predictor.Step(decoderInputs.AsSpan(0, batch * LstmSeq2Seq.DecoderInputSize), stepActual, batch);
        Assert.Equal(stepExpected, stepActual);

        int[] tokensExpected = new int[batch * maxLength], tokensActual = new int[tokensExpected.Length];
        int[] lengthsExpected = new int[batch], lengthsActual = new int[batch];
        model.Decode(inputs, tokensExpected, lengthsExpected, batch, inputSteps, 0, 2);
        predictor.Decode(inputs, tokensActual, lengthsActual, batch, inputSteps, 0, 2);
        Assert.Equal(tokensExpected, tokensActual);
        Assert.Equal(lengthsExpected, lengthsActual);

        // The copy keeps the weights it was made with.
        model.Parameters.Clear();
        predictor.Forward(inputs, decoderInputs, actual, batch, inputSteps, outputSteps);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_predictors_Forward_starts_from_zeros_whatever_the_models_CarryState()
    {
        var model = new WideStreamingGru(seed: 3) { CarryState = true };
        var predictor = model.CreatePredictor();
        var input = TestData.Uniform(4 * WideStreamingGru.InputSize, 17);
        float[] first = new float[WideStreamingGru.OutputSize], second = new float[WideStreamingGru.OutputSize];
        model.Forward(input, first);
        model.Forward(input, second);
        Assert.NotEqual(first, second); // the model carries its state from call to call
        predictor.Forward(input, first);
        predictor.Forward(input, second);
        Assert.Equal(first, second);
    }

    /// <summary>Twelve steps alike; each one's ResetState leaves the other's state alone; a whole sequence of 8 alike.</summary>
    private static void AssertStepsLikeTheModel(Streaming model, Streaming predictor, int inputSize, int outputSize)
    {
        var inputs = TestData.Uniform(12 * inputSize, 13);
        float[] expected = new float[outputSize], actual = new float[outputSize];
        for (var t = 0; t < 12; t++)
        {
            var x = inputs.AsSpan(t * inputSize, inputSize);
            model.Step(x, expected);
            predictor.Step(x, actual);
            for (var c = 0; c < expected.Length; c++)
                Assert.True(Math.Abs(expected[c] - actual[c]) <= 1e-5 * (1 + Math.Abs(expected[c])), $"step {t}, output {c}: {actual[c]:R} vs {expected[c]:R}");
        }

        // Resetting the model's state leaves the predictor's alone, and the other way round.
        model.Reset();
        var carried = new float[outputSize];
        predictor.Step(inputs.AsSpan(0, inputSize), carried);
        predictor.Reset();
        var fresh = new float[outputSize];
        predictor.Step(inputs.AsSpan(0, inputSize), fresh);
        model.Step(inputs.AsSpan(0, inputSize), expected);
        Assert.NotEqual(carried, fresh);
        for (var c = 0; c < expected.Length; c++)
            Assert.Equal(expected[c], fresh[c], 5);

        // A whole sequence: the model's recurrent kernels on the copy, its last dense layer packed (batch 1).
        float[] sequenceModel = new float[outputSize], sequencePredictor = new float[outputSize];
        model.Forward(inputs.AsSpan(0, 8 * inputSize), sequenceModel);
        predictor.Forward(inputs.AsSpan(0, 8 * inputSize), sequencePredictor);
        for (var c = 0; c < sequenceModel.Length; c++)
            Assert.Equal(sequenceModel[c], sequencePredictor[c], 5);
    }

    private sealed record Streaming(ForwardOne Step, Action Reset, ForwardOne Forward);

    [Fact]
    public void Streaming_predictor_step_allocates_nothing()
    {
        var predictor = new WideStreamingLstm(seed: 1).CreatePredictor();
        var input = TestData.Uniform(WideStreamingLstm.InputSize, 7);
        var output = new float[WideStreamingLstm.OutputSize];
        Assert.Equal(0, Allocations.AfterWarmUp(() => predictor.Step(input, output)));
        var gru = new WideStreamingGru(seed: 1).CreatePredictor();
        var gruInput = TestData.Uniform(WideStreamingGru.InputSize, 7);
        Assert.Equal(0, Allocations.AfterWarmUp(() => gru.Step(gruInput, output)));
        var rnn = new StreamingReluRnn(seed: 1).CreatePredictor();
        Assert.Equal(0, Allocations.AfterWarmUp(() => rnn.Step(gruInput, output)));
        // Padded units (H = 50, 20): the padded gate vectors and state live in the per-thread scratch.
        var odd = new OddStreamingLstm(seed: 1).CreatePredictor();
        Assert.Equal(0, Allocations.AfterWarmUp(() => odd.Step(gruInput, output)));
        var oddGru = new OddStreamingGru(seed: 1).CreatePredictor();
        float[] oddInput = gruInput.AsSpan(0, OddStreamingGru.InputSize).ToArray(), oddOutput = new float[OddStreamingGru.OutputSize];
        Assert.Equal(0, Allocations.AfterWarmUp(() => oddGru.Step(oddInput, oddOutput)));
    }

    [Fact]
    public void Wrong_lengths_throw_and_leave_the_output_alone()
    {
        var predictor = new ShapesNet(seed: 1).CreatePredictor();
        var output = new float[] { 9, 9, 9 };
        Assert.Throws<ArgumentException>(() => predictor.Forward(new float[ShapesNet.InputSize - 1], output));
        Assert.Throws<ArgumentException>(() => predictor.Forward(new float[ShapesNet.InputSize], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => predictor.Forward(new float[ShapesNet.InputSize * 33], new float[3 * 33], 33));
        Assert.Equal(new float[] { 9, 9, 9 }, output);
    }

    [Fact]
    public void Predictor_forward_allocates_nothing()
    {
        var predictor = new ShapesNet(seed: 1).CreatePredictor();
        var input = TestData.Uniform(ShapesNet.InputSize, 7);
        var output = new float[ShapesNet.OutputSize];
        Assert.Equal(0, Allocations.AfterWarmUp(() => predictor.Forward(input, output)));
    }

    /// <summary>
    /// One example at a time and a batch of <paramref name="batch"/>, model against predictor. At batch 1 the
    /// predictor's dense layers sum in another order (where packing is supported), so they agree to rounding; the
    /// batch runs the same kernels in both, so it agrees exactly.
    /// </summary>
    private static void AssertMatches(ForwardOne model, ForwardMany modelBatch, ForwardOne predictor, ForwardMany predictorBatch, int inputSize, int outputSize, int batch)
    {
        var inputs = TestData.Uniform(batch * inputSize, 99);
        for (var r = 0; r < batch; r++)
        {
            float[] expected = new float[outputSize], actual = new float[outputSize];
            model(inputs.AsSpan(r * inputSize, inputSize), expected);
            predictor(inputs.AsSpan(r * inputSize, inputSize), actual);
            for (var c = 0; c < outputSize; c++)
                Assert.True(Math.Abs(expected[c] - actual[c]) <= 1e-5 * (1 + Math.Abs(expected[c])), $"example {r}, output {c}: {actual[c]:R} vs {expected[c]:R}");
        }

        float[] batchExpected = new float[batch * outputSize], batchActual = new float[batch * outputSize];
        modelBatch(inputs, batchExpected, batch);
        predictorBatch(inputs, batchActual, batch);
        Assert.Equal(batchExpected, batchActual);
    }

    private delegate void ForwardOne(ReadOnlySpan<float> input, Span<float> output);

    private delegate void ForwardMany(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);
}
