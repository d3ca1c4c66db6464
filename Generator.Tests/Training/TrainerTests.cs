using ModelGen.Optimizers;
using ModelGen.Tests.Models;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>The trainer through generated models: learning, determinism, validation, metrics and callbacks.</summary>
public class TrainerTests
{
    [Fact]
    public void Training_reduces_the_loss_and_reaches_a_good_accuracy()
    {
        var model = new LogitsNet(seed: 1);
        var trainer = new Trainer(model, new Adam(0.02f), new TrainerOptions { Epochs = 15, Seed = 3 });
        TrainingData data = TrainingFixtures.Classification(256, 11);

        TrainingHistory history = trainer.Fit(data);

        Assert.Equal(15, history.Epochs.Count);
        Assert.Equal(StopReason.Completed, history.StopReason);
        Assert.Equal(MetricKind.Accuracy, history.Metric);
        Assert.True(history.Epochs[^1].TrainLoss < 0.6 * history.Epochs[0].TrainLoss, $"{history.Epochs[0].TrainLoss} → {history.Epochs[^1].TrainLoss}");
        EvaluationResult result = trainer.Evaluate(TrainingFixtures.Classification(200, 12));
        Assert.Equal(MetricKind.Accuracy, result.MetricKind);
        Assert.True(result.Metric > 0.8, $"held-out accuracy {result.Metric}");
    }

    [Fact]
    public void A_sequence_regressor_trains_on_fixed_length_sequences_with_rmse()
    {
        var model = new LstmNet(seed: 2);
        var trainer = new Trainer(model, new Adam(0.02f), new TrainerOptions { Epochs = 8, ValidationSplit = 0.25, Seed = 1 });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Sequences(64, 5));

        Assert.Equal(MetricKind.Rmse, history.Metric);
        Assert.Equal(MonitoredValue.ValidationLoss, history.Plan.Monitor);
        Assert.True(history.Epochs[^1].TrainLoss < history.Epochs[0].TrainLoss);
        Assert.True(history.Epochs[^1].ValidationMetric < history.Epochs[0].ValidationMetric);

        model.CarryState = true;
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(TrainingFixtures.Sequences(8, 5)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_history_and_weights()
    {
        (TrainingHistory history, float[] weights) Run(ulong seed)
        {
            var model = new DropoutSoftmaxNet(seed: 4); // dropout: the model's own mask stream must reproduce too
            var data = new TrainingData(Infrastructure.TestData.Uniform(60 * 9, 3), Infrastructure.TestData.OneHot(60, 4, 4), 60);
            var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 4, Seed = seed, ValidationSplit = 0.2 });
            return (trainer.Fit(data), model.Parameters.ToArray());
        }

        var (first, firstWeights) = Run(9);
        var (second, secondWeights) = Run(9);
        var (other, otherWeights) = Run(10);

        Assert.Equal(first.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss, e.ValidationMetric, e.LearningRate)),
                     second.Epochs.Select(e => (e.TrainLoss, e.ValidationLoss, e.ValidationMetric, e.LearningRate)));
        Assert.Equal(firstWeights, secondWeights);
        Assert.NotEqual(firstWeights, otherWeights);
        Assert.NotEqual(first.Epochs[^1].TrainLoss, other.Epochs[^1].TrainLoss);
    }

    [Fact]
    public void Validation_split_holds_out_the_last_fraction()
    {
        var model = new LogitsNet(seed: 1);
        var trainer = new Trainer(model, new Sgd(0.1f), new TrainerOptions { Epochs = 1, BatchSize = 16, ValidationSplit = 0.3 });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Classification(101, 1));

        Assert.Equal(71, history.Plan.TrainCount); // ⌊101 · 0.3⌋ = 30 held out
        Assert.Equal(30, history.Plan.ValidationCount);
        Assert.Equal(5, history.Plan.BatchesPerEpoch); // ⌈71 / 16⌉
        Assert.NotNull(history.Epochs[0].ValidationLoss);
        Assert.NotNull(history.Epochs[0].ValidationMetric);
        Assert.Equal(5, trainer.Optimizer.Iterations);
    }

    [Fact]
    public void An_explicit_validation_set_is_evaluated_and_cannot_be_combined_with_a_split()
    {
        var model = new LogitsNet(seed: 1);
        TrainingData train = TrainingFixtures.Classification(40, 1), validation = TrainingFixtures.Classification(25, 2);

        var history = new Trainer(model, new Sgd(0.1f), new TrainerOptions { Epochs = 2 }).Fit(train, validation);

        Assert.Equal((40, 25), (history.Plan.TrainCount, history.Plan.ValidationCount));
        Assert.Equal(new Trainer(model, new Sgd(0.1f)).Evaluate(validation).Loss, history.Epochs[^1].ValidationLoss!.Value, 6);
        var both = new Trainer(model, new Sgd(0.1f), new TrainerOptions { ValidationSplit = 0.5 });
        Assert.Throws<ArgumentException>(() => both.Fit(train, validation));
        Assert.Throws<ArgumentException>(() => new Trainer(model, new Sgd(0.1f), new TrainerOptions { ValidationSplit = 0.001 }).Fit(train));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new Sgd(0.1f), new TrainerOptions { BatchSize = 33 }));
        Assert.Throws<ArgumentException>(() => new Trainer(new ActivationStackNet(), new Sgd(0.1f)).Fit(train));
    }

    [Fact]
    public void Callbacks_receive_every_batch_and_epoch()
    {
        var model = new LogitsNet(seed: 1);
        var recorder = new RecordingCallback(model);
        var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 3, BatchSize = 10, Callbacks = [recorder] });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Classification(45, 1));

        Assert.Equal((1, 1), (recorder.Begins, recorder.Ends));
        Assert.Equal(history.Epochs, recorder.Epochs);
        Assert.Equal([1, 2, 3], recorder.Epochs.Select(e => e.Epoch));
        Assert.Equal(15, recorder.Batches.Count);
        Assert.Equal([10, 10, 10, 10, 5], recorder.Batches.Take(5).Select(b => b.Size));
        Assert.All(recorder.Batches, b => Assert.Equal(5, b.BatchesPerEpoch));
        Assert.All(recorder.Epochs, e => Assert.True(e.Seconds >= e.TrainSeconds && e.TrainSeconds > 0));
    }

    [Fact]
    public void The_learning_rate_of_each_epoch_follows_the_schedule()
    {
        var model = new LogitsNet(seed: 1);
        var optimizer = new Sgd(0.1f) { Schedule = new StepDecay(stepSize: 2, gamma: 0.5f) };
        var history = new Trainer(model, optimizer, new TrainerOptions { Epochs = 3 }).Fit(TrainingFixtures.Classification(64, 1)); // 2 batches

        Assert.Equal([0.1f, 0.05f, 0.025f], history.Epochs.Select(e => e.LearningRate));
    }

    [Fact]
    public void Cancellation_stops_between_batches()
    {
        var model = new LogitsNet(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var recorder = new RecordingCallback(model)
        {
            OnBatch = b =>
            {
                if (b is { Epoch: 2, Batch: 3 })
                {
                    cancellation.Cancel();
                }
            },
        };
        var optimizer = new Adam(0.01f);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { Epochs = 5, BatchSize = 8, Callbacks = [recorder] });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Classification(64, 1), cancellationToken: cancellation.Token);

        Assert.Equal(StopReason.Cancelled, history.StopReason);
        Assert.Single(history.Epochs);
        Assert.Equal(8 + 3, optimizer.Iterations);
        Assert.Equal(8 + 3, recorder.Batches.Count);
        Assert.Equal(1, recorder.Ends);
        Assert.Equal(recorder.BatchParameters[^1], model.Parameters.ToArray()); // the weights of the last applied update
    }
}
