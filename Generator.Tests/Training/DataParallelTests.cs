using ModelGen.Optimizers;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>Data-parallel training: sharded gradients average to the whole mini-batch's, without allocating per step.</summary>
public class DataParallelTests
{
    [Theory]
    [InlineData(2, 7)]
    [InlineData(3, 10)]
    [InlineData(4, 2)] // fewer examples than workers: only two shards run
    public void Gradient_and_loss_equal_the_whole_batch(int workers, int batch)
    {
        using var parallel = new DataParallel<LogitsNet>(i => new LogitsNet(seed: 3 + i), workers);
        var single = new LogitsNet(seed: 3);
        float[] inputs = TestData.Uniform(batch * LogitsNet.InputSize, 1), targets = TestData.OneHot(batch, LogitsNet.OutputSize, 2);

        var expectedLoss = single.ComputeGradients(inputs, targets, batch);
        var loss = parallel.ComputeGradients(inputs, targets, batch);

        Assert.Equal(expectedLoss, loss, 5);
        AssertClose(single.Gradients, parallel.Gradients);
    }

    [Fact]
    public void Batch_can_exceed_one_replicas_maximum()
    {
        using var parallel = new DataParallel<TinyLinear>(i => new TinyLinear(seed: 5), workers: 2);
        Assert.Equal(2 * TinyLinear.MaxBatchSize, parallel.MaxBatchSize);
        var one = new TinyLinear(seed: 5);
        float[] inputs = TestData.Uniform(4 * 2, 3), targets = TestData.Uniform(4 * 2, 4);

        var loss = parallel.ComputeGradients(inputs, targets, 4);

        // The whole batch is two batches of the single model, averaged.
        var first = one.ComputeGradients(inputs.AsSpan(0, 4), targets.AsSpan(0, 4), 2);
        var gradient = one.Gradients.ToArray();
        var second = one.ComputeGradients(inputs.AsSpan(4), targets.AsSpan(4), 2);
        Assert.Equal((first + second) / 2, loss, 5);
        AssertClose(gradient.Zip(one.Gradients.ToArray(), (a, b) => (a + b) / 2).ToArray(), parallel.Gradients);
    }

    [Fact]
    public void Sequence_models_shard_by_example_and_keep_the_number_of_steps()
    {
        using var parallel = new SequenceDataParallel<LstmNet>(i => new LstmNet(seed: 7), workers: 2);
        var single = new LstmNet(seed: 7);
        float[] inputs = TestData.Uniform(4 * 5 * 3, 5), targets = TestData.Uniform(4 * 2, 6);

        var expected = single.ComputeGradients(inputs, targets, 4, 5);
        var loss = parallel.ComputeGradients(inputs, targets, 4, 5);

        Assert.Equal(expected, loss, 5);
        AssertClose(single.Gradients, parallel.Gradients);
        var outputs = new float[4 * 2];
        var expectedOutputs = new float[4 * 2];
        parallel.Forward(inputs, outputs, 4, 5);
        single.Forward(inputs, expectedOutputs, 4, 5);
        AssertClose(expectedOutputs, outputs);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)] // replicas 2 and 3 take the weights from replica 1
    public void Training_updates_the_first_replica_and_every_pass_uses_its_weights(int workers)
    {
        using var parallel = new DataParallel<LogitsNet>(i => new LogitsNet(seed: 11 + i), workers);
        var single = new LogitsNet(seed: 11);
        float[] inputs = TestData.Uniform(8 * LogitsNet.InputSize, 7), targets = TestData.OneHot(8, LogitsNet.OutputSize, 8);
        var optimizerA = new Adam(0.01f);
        var optimizerB = new Adam(0.01f);
        for (var step = 0; step < 20; step++)
        {
            parallel.TrainStep(inputs, targets, 8, optimizerA);
            single.TrainStep(inputs, targets, 8, optimizerB);
        }

        AssertClose(single.Parameters, parallel.Parameters, tolerance: 1e-4f);
    }

    [Fact]
    public void A_shard_failure_is_rethrown_and_the_weights_are_unchanged()
    {
        using var parallel = new DataParallel<LogitsNet>(i => new LogitsNet(seed: 1), workers: 2);
        var before = parallel.Parameters.ToArray();
        var inputs = TestData.Uniform(4 * LogitsNet.InputSize, 9);

        Assert.Throws<ArgumentException>(() => parallel.TrainStep(inputs, new float[4 * (LogitsNet.OutputSize + 1)], 4, new Sgd(0.1f)));
        Assert.Throws<ArgumentOutOfRangeException>(() => parallel.ComputeGradients(inputs, new float[4 * LogitsNet.OutputSize], 0));
        Assert.Throws<ArgumentException>(() => parallel.ComputeGradients(inputs, new float[5], 4));
        Assert.Equal(before, parallel.Parameters.ToArray());
    }

    [Fact]
    public void Train_step_allocates_nothing()
    {
        using var parallel = new DataParallel<LogitsNet>(i => new LogitsNet(seed: 1), workers: 2);
        float[] inputs = TestData.Uniform(16 * LogitsNet.InputSize, 10), targets = TestData.OneHot(16, LogitsNet.OutputSize, 11);
        var optimizer = new Adam(0.01f);

        // Many steps, so that the threads' waits block at some point (a lazily created lock would show here).
        Assert.Equal(0, Allocations.AfterWarmUp(() => parallel.TrainStep(inputs, targets, 16, optimizer), runs: 300));
    }

    [Fact]
    public void The_trainer_trains_through_it_with_batches_larger_than_one_replica()
    {
        using var parallel = new DataParallel<LogitsNet>(i => new LogitsNet(seed: 1), workers: 2);
        var trainer = new Trainer(parallel, new Adam(0.02f), new TrainerOptions { Epochs = 15, Seed = 3, BatchSize = 48 });

        var history = trainer.Fit(TrainingFixtures.Classification(256, 11));

        Assert.True(history.Epochs[^1].TrainLoss < 0.6 * history.Epochs[0].TrainLoss, $"{history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        Assert.True(trainer.Evaluate(TrainingFixtures.Classification(200, 12)).Metric > 0.8);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
