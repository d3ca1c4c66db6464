using ModelGen.Optimizers;
using ModelGen.Tests.Models;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

public class NonFiniteLossTests
{
    /// <summary>64 examples in unshuffled batches of 8, with a NaN in example 20, i.e. in batch 3 of every epoch.</summary>
    private static TrainingData WithNaNInBatch3()
    {
        TrainingData data = TrainingFixtures.Classification(64, 1);
        data.Inputs[(20 * 6) + 2] = float.NaN;
        return data;
    }

    [Fact]
    public void Stop_throws_naming_epoch_batch_and_loss_and_keeps_the_last_good_weights()
    {
        var model = new LogitsNet(seed: 1);
        var recorder = new RecordingCallback(model);
        var optimizer = new Adam(0.01f);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 3, BatchSize = 8, Shuffle = false, Callbacks = [recorder] });

        var error = Assert.Throws<TrainingException>(() => trainer.Fit(WithNaNInBatch3()));

        Assert.IsAssignableFrom<InvalidOperationException>(error);
        Assert.Equal((1, 3), (error.Epoch, error.Batch));
        Assert.True(float.IsNaN(error.Loss));
        Assert.Contains("epoch 1, batch 3 of 8", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Equal(StopReason.NonFiniteLoss, error.History.StopReason);
        Assert.Empty(error.History.Epochs);
        Assert.Equal(2, optimizer.Iterations);
        Assert.Equal(2, recorder.Batches.Count);
        Assert.Equal(0, recorder.Ends);

        // Batch 2's loss (from the weights after batch 1) was the last finite one: those weights are back.
        Assert.Equal(recorder.BatchParameters[0], model.Parameters.ToArray());
        Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
    }

    [Fact]
    public void Stop_on_a_diverging_learning_rate_leaves_finite_weights()
    {
        var model = new ActivationStackNet(seed: 1);
        int count = 64;
        var data = new TrainingData(Infrastructure.TestData.Uniform(count * 5, 1), Infrastructure.TestData.Uniform(count * 3, 2, scale: 10), count);
        var trainer = new Trainer(model, new Sgd(1e18f), new TrainerOptions { Epochs = 5 });

        var error = Assert.Throws<TrainingException>(() => trainer.Fit(data));

        Assert.Contains($"epoch {error.Epoch}, batch {error.Batch}", error.Message);
        Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));
        Assert.True(float.IsFinite(model.ComputeLoss(data.Inputs.AsSpan(0, 8 * 5), data.Targets.AsSpan(0, 8 * 3), 8)));
    }

    [Fact]
    public void SkipBatch_skips_the_update_counts_the_batch_and_keeps_the_state()
    {
        var model = new LogitsNet(seed: 1);
        var recorder = new RecordingCallback(model);
        var optimizer = new Adam(0.01f);
        var trainer = new Trainer(model, optimizer, new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 8,
            Seed = 5,
            NonFiniteLoss = NonFiniteLossPolicy.SkipBatch,
            Callbacks = [recorder],
        });

        TrainingHistory history = trainer.Fit(WithNaNInBatch3());

        Assert.Equal(StopReason.Completed, history.StopReason);
        Assert.Equal(3, history.SkippedBatches);
        Assert.All(history.Epochs, e => Assert.Equal(1, e.SkippedBatches));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss)));
        Assert.Equal(3 * 7, optimizer.Iterations);
        Assert.Equal(3, recorder.Batches.Count(b => b.Skipped));
        Assert.All(model.Parameters.ToArray(), p => Assert.True(float.IsFinite(p)));

        int skipped = recorder.Batches.FindIndex(b => b.Skipped);
        Assert.True(skipped > 0);
        Assert.Equal(recorder.BatchParameters[skipped - 1], recorder.BatchParameters[skipped]); // no update
    }

    [Fact]
    public void SkipBatch_undoes_the_batch_norm_statistics_of_a_skipped_batch()
    {
        var model = new BatchNormNet(seed: 1);
        int count = 8;
        float[] inputs = Infrastructure.TestData.Uniform(count * BatchNormNet.InputSize, 1);
        inputs[3] = float.NaN;
        var data = new TrainingData(inputs, Infrastructure.TestData.Uniform(count * BatchNormNet.OutputSize, 2), count);
        float[] state = model.State.ToArray();
        var trainer = new Trainer(model, new Sgd(0.01f), new TrainerOptions { Epochs = 2, NonFiniteLoss = NonFiniteLossPolicy.SkipBatch });

        TrainingHistory history = trainer.Fit(data);

        Assert.Equal(2, history.SkippedBatches);
        Assert.True(double.IsNaN(history.Epochs[0].TrainLoss)); // every batch was skipped
        Assert.Equal(state, model.State.ToArray());
    }
}
