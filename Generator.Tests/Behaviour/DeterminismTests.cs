using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Behaviour;

/// <summary>
/// Deterministic means the same bits from the same seed and data, whatever addresses the allocator gave the model's
/// arrays and the caller's buffers: each case builds many instances between allocations of odd sizes, so their
/// activation arrays start at different offsets within a cache line, and compares them bit for bit.
/// </summary>
public class DeterminismTests
{
    [Fact]
    public void Batch_one_inference_gives_the_same_bits_in_every_instance()
    {
        float[] mlpInput = TestData.Uniform(DeterminismMlp.InputSize, 1), cnnInput = TestData.Uniform(ShapesNet.InputSize, 2);
        float[]? mlpFirst = null, cnnFirst = null;
        for (int i = 0; i < 16; i++)
        {
            _ = new byte[4 * i + 1];
            var mlp = new DeterminismMlp(seed: 5);
            var cnn = new ShapesNet(seed: 5);
            var mlpOut = new float[DeterminismMlp.OutputSize];
            var cnnOut = new float[ShapesNet.OutputSize];
            mlp.Forward(Shifted(mlpInput, i), mlpOut);
            cnn.Forward(Shifted(cnnInput, i), cnnOut);
            mlpFirst ??= mlpOut;
            cnnFirst ??= cnnOut;
            AssertSameBits(mlpFirst, mlpOut, $"MLP instance {i}");
            AssertSameBits(cnnFirst, cnnOut, $"CNN instance {i}");
        }
    }

    [Fact]
    public void Repeated_batch_one_passes_give_the_same_bits()
    {
        // Each batch-1 pass reads a dense layer's weight rows in the opposite order to the pass before (and a
        // streaming LSTM its blocks of units): consecutive passes over the same input must still agree bit for bit.
        float[] mlpInput = TestData.Uniform(DeterminismMlp.InputSize, 6), cnnInput = TestData.Uniform(ShapesNet.InputSize, 7);
        var mlp = new DeterminismMlp(seed: 4);
        var cnn = new ShapesNet(seed: 4);
        float[]? mlpFirst = null, cnnFirst = null;
        for (int pass = 0; pass < 4; pass++)
        {
            var mlpOut = new float[DeterminismMlp.OutputSize];
            var cnnOut = new float[ShapesNet.OutputSize];
            mlp.Forward(mlpInput, mlpOut);
            cnn.Forward(cnnInput, cnnOut);
            mlpFirst ??= mlpOut;
            cnnFirst ??= cnnOut;
            AssertSameBits(mlpFirst, mlpOut, $"MLP pass {pass}");
            AssertSameBits(cnnFirst, cnnOut, $"CNN pass {pass}");
        }

        var lstm = new DeterminismStreamingLstm(seed: 3);
        var outputs = new float[4];
        for (int pass = 0; pass < outputs.Length; pass++)
        {
            lstm.ResetState();
            lstm.Step([0.5f], outputs.AsSpan(pass, 1));
        }
        AssertSameBits([outputs[0], outputs[0], outputs[0]], outputs[1..], "LSTM step from the reset state");
    }

    [Fact]
    public void Training_from_the_same_seed_gives_the_same_parameters_in_every_instance()
    {
        const int batch = 8;
        float[] inputs = TestData.Uniform(batch * DeterminismMlp.InputSize, 3), targets = TestData.OneHot(batch, DeterminismMlp.OutputSize, 4);
        float[]? first = null;
        for (int i = 0; i < 6; i++)
        {
            _ = new byte[12 * i + 5];
            var model = new DeterminismMlp(seed: 9);
            var optimizer = new Adam(0.01f);
            for (int step = 0; step < 4; step++) model.TrainStep(Shifted(inputs, i + step), targets, batch, optimizer);
            float[] parameters = model.Parameters.ToArray();
            first ??= parameters;
            AssertSameBits(first, parameters, $"instance {i}");
        }
    }

    [Fact]
    public void Streaming_lstm_steps_give_the_same_bits_in_every_instance()
    {
        float[]? first = null;
        for (int i = 0; i < 8; i++)
        {
            _ = new byte[8 * i + 3];
            var model = new DeterminismStreamingLstm(seed: 2);
            var outputs = new float[20];
            for (int t = 0; t < outputs.Length; t++) model.Step([MathF.Sin(0.3f * t)], outputs.AsSpan(t, 1));
            first ??= outputs;
            AssertSameBits(first, outputs, $"instance {i}");
        }
    }

    /// <summary>The values at a different offset within a cache line (a new array, <paramref name="shift"/> floats in).</summary>
    private static ReadOnlySpan<float> Shifted(float[] values, int shift)
    {
        int offset = shift % 16;
        var storage = new float[values.Length + offset];
        values.CopyTo(storage, offset);
        return storage.AsSpan(offset);
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}, value {i}: {actual[i]:R} vs {expected[i]:R}");
    }
}

/// <summary>W1's shape: the first layer takes the two-stream GEMV path at batch 1, the second the short-row path.</summary>
[Model(Loss = Loss.SoftmaxCrossEntropy, MaxBatchSize = 8)]
[Input(784)]
[Dense(128, Activation = Activation.ReLU)]
[Dense(10)]
public partial class DeterminismMlp
{
}

/// <summary>W3's larger shape: the batch-1 LSTM step with h held in registers (H = 128).</summary>
[Model(MaxBatchSize = 1)]
[Input(1, MaxSequenceLength = 1)]
[Lstm(128)]
[Dense(1)]
public partial class DeterminismStreamingLstm
{
}
