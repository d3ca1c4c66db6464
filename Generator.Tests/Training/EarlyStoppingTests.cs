using ModelGen.Optimizers;
using ModelGen.Tests.Models;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

public class EarlyStoppingTests
{
    [Fact]
    public void Stops_after_patience_epochs_without_improvement_and_restores_the_best_weights()
    {
        var model = new LogitsNet(seed: 1);
        var recorder = new RecordingCallback(model);
        // A min-delta no epoch can beat: epoch 1 sets the best, then every epoch fails to improve.
        var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions
        {
            Epochs = 20,
            ValidationSplit = 0.25,
            EarlyStopping = new EarlyStopping { Patience = 3, MinDelta = 1e6 },
            Callbacks = [recorder],
        });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Classification(96, 1));

        Assert.Equal(StopReason.EarlyStopped, history.StopReason);
        Assert.Equal(1 + 3, history.Epochs.Count);
        Assert.Equal(1, history.BestEpoch);
        Assert.Equal(history.Epochs[0].ValidationLoss, history.BestValue);
        Assert.True(history.RestoredBestWeights);
        Assert.Equal([true, false, false, false], history.Epochs.Select(e => e.Improved));
        Assert.NotEqual(recorder.EpochParameters[^1], recorder.EpochParameters[0]);
        Assert.Equal(recorder.EpochParameters[0], model.Parameters.ToArray());
    }

    [Fact]
    public void Restores_the_best_epoch_of_a_real_run_on_validation_accuracy()
    {
        var model = new LogitsNet(seed: 2);
        var recorder = new RecordingCallback(model);
        var trainer = new Trainer(model, new Adam(0.05f), new TrainerOptions
        {
            Epochs = 30,
            BatchSize = 8,
            ValidationSplit = 0.5,
            EarlyStopping = new EarlyStopping { Monitor = MonitoredValue.ValidationMetric, Patience = 2 },
            Callbacks = [recorder],
        });

        TrainingHistory history = trainer.Fit(TrainingFixtures.Classification(40, 3));

        int best = history.BestEpoch;
        double bestAccuracy = history.Epochs.Max(e => e.ValidationMetric!.Value);
        Assert.Equal(bestAccuracy, history.Epochs[best - 1].ValidationMetric);
        Assert.Equal(history.Epochs.First(e => e.ValidationMetric == bestAccuracy).Epoch, best); // strictly better only
        if (history.StopReason == StopReason.EarlyStopped)
        {
            Assert.Equal(best + 2, history.Epochs.Count);
        }

        Assert.Equal(recorder.EpochParameters[best - 1], model.Parameters.ToArray());
    }

    [Fact]
    public void Restoring_also_copies_the_batch_norm_state()
    {
        var model = new BatchNormNet(seed: 3);
        float[] before = model.State.ToArray();
        var stateAtEpoch = new List<float[]>();
        var trainer = new Trainer(model, new Sgd(0.01f), new TrainerOptions
        {
            Epochs = 10,
            EarlyStopping = new EarlyStopping { Patience = 2, MinDelta = 1e6 },
            Callbacks = [new StateRecorder(model, stateAtEpoch)],
        });
        int count = 24;
        var data = new TrainingData(Infrastructure.TestData.Uniform(count * BatchNormNet.InputSize, 1), Infrastructure.TestData.Uniform(count * BatchNormNet.OutputSize, 2), count);

        trainer.Fit(data);

        Assert.NotEqual(before, stateAtEpoch[0]);
        Assert.NotEqual(stateAtEpoch[0], stateAtEpoch[^1]);
        Assert.Equal(stateAtEpoch[0], model.State.ToArray());
    }

    [Fact]
    public void Monitoring_validation_without_a_validation_set_is_rejected()
    {
        var trainer = new Trainer(new LogitsNet(), new Sgd(0.1f), new TrainerOptions
        {
            EarlyStopping = new EarlyStopping { Monitor = MonitoredValue.ValidationLoss },
        });
        Assert.Throws<ArgumentException>(() => trainer.Fit(TrainingFixtures.Classification(10, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping { Patience = 0 });
    }

    private sealed class StateRecorder(IModel model, List<float[]> states) : ITrainingCallback
    {
        public void OnEpochEnd(EpochRecord epoch) => states.Add(model.State.ToArray());
    }
}
