using ModelGen.Optimizers;
using ModelGen.Tests.Models;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>
/// The batch loop allocates nothing: a callback reads the thread's allocated-byte counter at every batch end, so
/// each difference covers one whole batch (gather, forward/backward, finite checks, optimizer step, callbacks).
/// </summary>
public class TrainerAllocationTests
{
    [Fact]
    public void The_feed_forward_batch_loop_does_not_allocate()
    {
        var model = new LogitsNet(seed: 1);
        AssertBatchesDoNotAllocate(model, new Adam(0.01f), TrainingFixtures.Classification(96, 1), NonFiniteLossPolicy.Stop);
    }

    [Fact]
    public void The_sequence_batch_loop_does_not_allocate()
    {
        var model = new LstmNet(seed: 1);
        AssertBatchesDoNotAllocate(model, new RmsProp(0.01f), TrainingFixtures.Sequences(24, 1), NonFiniteLossPolicy.Stop);
    }

    [Fact]
    public void Skipped_batches_do_not_allocate()
    {
        var model = new LogitsNet(seed: 1);
        TrainingData data = TrainingFixtures.Classification(96, 1);
        for (int r = 0; r < 96; r += 3)
        {
            data.Inputs[r * 6] = float.PositiveInfinity;
        }

        AssertBatchesDoNotAllocate(model, new Sgd(0.01f, momentum: 0.9f), data, NonFiniteLossPolicy.SkipBatch);
    }

    private static void AssertBatchesDoNotAllocate(IModel model, Optimizer optimizer, TrainingData data, NonFiniteLossPolicy policy)
    {
        var probe = new AllocationProbe(4096);
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            Epochs = 3,
            BatchSize = Math.Min(8, model.MaxBatchSize),
            NonFiniteLoss = policy,
            Callbacks = [probe],
        });

        trainer.Fit(data);

        // Epoch 1 warms up (JIT, first optimizer step); in epochs 2 and 3 no batch may allocate.
        int measured = 0;
        for (int i = 1; i < probe.Count; i++)
        {
            if (probe.Epochs[i] >= 2 && probe.Epochs[i] == probe.Epochs[i - 1])
            {
                Assert.True(probe.Bytes[i] == probe.Bytes[i - 1], $"batch {i} (epoch {probe.Epochs[i]}) allocated {probe.Bytes[i] - probe.Bytes[i - 1]} bytes");
                measured++;
            }
        }

        Assert.True(measured >= 4, $"only {measured} batches measured");
    }

    private sealed class AllocationProbe(int capacity) : ITrainingCallback
    {
        public long[] Bytes { get; } = new long[capacity];

        public int[] Epochs { get; } = new int[capacity];

        public int Count { get; private set; }

        public void OnBatchEnd(in BatchProgress batch)
        {
            Epochs[Count] = batch.Epoch;
            Bytes[Count++] = GC.GetAllocatedBytesForCurrentThread();
        }
    }
}
