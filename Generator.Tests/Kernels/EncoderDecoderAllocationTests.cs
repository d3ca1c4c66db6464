using ModelGen.Optimizers;
using ModelGen.Tests.Gradients;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// Generated encoder–decoder models allocate every buffer in their constructor: training, teacher-forced inference,
/// Encode, Step and greedy Decode allocate nothing once warmed up (the optimizer's moments included).
/// </summary>
public class EncoderDecoderAllocationTests
{
    private const int Batch = 3;

    [Fact]
    public void Stacked_lstm_seq2seq_allocates_nothing()
    {
        var model = new LstmSeq2Seq(seed: 1);
        var optimizer = new Adam(1e-3f);
        var inputs = TestData.Uniform(Batch * 5 * 3, 2);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 3);
        var targets = TestData.OneHot(Batch * 4, 3, 4);
        var outputs = new float[Batch * 4 * 3];
        var stepOutputs = new float[Batch * 3];
        var tokens = new int[Batch * 7];
        var lengths = new int[Batch];

        AssertNoAllocation("TrainStep", () => model.TrainStep(inputs, decoderInputs, targets, Batch, 5, 4, optimizer));
        AssertNoAllocation("Forward", () => model.Forward(inputs, decoderInputs, outputs, Batch, 5, 4));
        AssertNoAllocation("Backward", () => model.Backward(targets));
        AssertNoAllocation("ComputeLoss", () => model.ComputeLoss(inputs, decoderInputs, targets, Batch, 5, 4));
        AssertNoAllocation("Encode", () => model.Encode(inputs, Batch, 5));
        AssertNoAllocation("Step", () => model.Step(decoderInputs.AsSpan(0, Batch * 3), stepOutputs, Batch));
        AssertNoAllocation("Decode", () => model.Decode(inputs, tokens, lengths, Batch, 5, 0, 1));
    }

    [Fact]
    public void Gru_seq2seq_with_embeddings_allocates_nothing()
    {
        var model = new GruSeq2Seq(seed: 5);
        var optimizer = new Adam(1e-3f);
        var inputs = RecurrentGradientTests.Tokens(Batch * 5, 6, 6);
        var decoderInputs = RecurrentGradientTests.Tokens(Batch * 4, 6, 7);
        var targets = TestData.OneHot(Batch * 4, 6, 8);
        var outputs = new float[Batch * 4 * 6];
        var stepOutputs = new float[Batch * 6];
        var tokens = new int[Batch * 6];
        var lengths = new int[Batch];

        AssertNoAllocation("TrainStep", () => model.TrainStep(inputs, decoderInputs, targets, Batch, 5, 4, optimizer));
        AssertNoAllocation("Forward", () => model.Forward(inputs, decoderInputs, outputs, Batch, 5, 4));
        AssertNoAllocation("Encode", () => model.Encode(inputs, Batch, 5));
        AssertNoAllocation("Step", () => model.Step(decoderInputs.AsSpan(0, Batch), stepOutputs, Batch));
        AssertNoAllocation("Decode", () => model.Decode(inputs, tokens, lengths, Batch, 5, 0, 1));
    }

    [Fact]
    public void Vector_to_sequence_allocates_nothing()
    {
        var model = new VectorToSequence(seed: 9);
        var optimizer = new Adam(1e-3f);
        var inputs = TestData.Uniform(Batch * 4, 10);
        var decoderInputs = TestData.OneHot(Batch * 4, 3, 11);
        var targets = TestData.OneHot(Batch * 4, 3, 12);
        var outputs = new float[Batch * 4 * 3];
        var stepOutputs = new float[Batch * 3];
        var tokens = new int[Batch * 5];
        var lengths = new int[Batch];

        AssertNoAllocation("TrainStep", () => model.TrainStep(inputs, decoderInputs, targets, Batch, 4, optimizer));
        AssertNoAllocation("Forward", () => model.Forward(inputs, decoderInputs, outputs, Batch, 4));
        AssertNoAllocation("Encode", () => model.Encode(inputs, Batch));
        AssertNoAllocation("Step", () => model.Step(decoderInputs.AsSpan(0, Batch * 3), stepOutputs, Batch));
        AssertNoAllocation("Decode", () => model.Decode(inputs, tokens, lengths, Batch, 0, 1));
    }

    /// <summary>Runs <paramref name="call"/> once to warm up (JIT, optimizer state), then measures a second run.</summary>
    private static void AssertNoAllocation(string name, Action call)
    {
        call();
        var before = GC.GetAllocatedBytesForCurrentThread();
        call();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{name} allocated {allocated} bytes");
    }
}
