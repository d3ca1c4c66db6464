using ModelGen.Tests.Infrastructure;
using ModelGen.Training;

namespace ModelGen.Tests.Training;

/// <summary>Small learnable data sets and recording callbacks for the trainer tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>6 features for <c>LogitsNet</c>; the class is the arg-max of the first three (learnable by a small MLP).</summary>
    public static TrainingData Classification(int count, ulong seed)
    {
        float[] inputs = TestData.Uniform(count * 6, seed);
        var targets = new float[count * 3];
        for (int r = 0; r < count; r++)
        {
            ReadOnlySpan<float> x = inputs.AsSpan(r * 6, 3);
            int label = x[0] >= x[1] && x[0] >= x[2] ? 0 : x[1] >= x[2] ? 1 : 2;
            targets[(r * 3) + label] = 1;
        }

        return new TrainingData(inputs, targets, count);
    }

    /// <summary>Sequences of 6 steps × 3 features for <c>LstmNet</c>; targets are the means of the first two features.</summary>
    public static TrainingData Sequences(int count, ulong seed)
    {
        float[] inputs = TestData.Uniform(count * 6 * 3, seed);
        var targets = new float[count * 2];
        for (int r = 0; r < count; r++)
        {
            for (int t = 0; t < 6; t++)
            {
                targets[r * 2] += inputs[(r * 18) + (t * 3)] / 6;
                targets[(r * 2) + 1] += inputs[(r * 18) + (t * 3) + 1] / 6;
            }
        }

        return new TrainingData(inputs, targets, count);
    }
}

/// <summary>Counts every callback and keeps a copy of the parameters after every epoch and batch.</summary>
internal sealed class RecordingCallback(IModel model) : ITrainingCallback
{
    public int Begins { get; private set; }

    public int Ends { get; private set; }

    public List<EpochRecord> Epochs { get; } = [];

    public List<float[]> EpochParameters { get; } = [];

    public List<float[]> BatchParameters { get; } = [];

    public List<BatchProgress> Batches { get; } = [];

    public Action<BatchProgress>? OnBatch { get; init; }

    public void OnTrainingBegin(TrainingPlan plan) => Begins++;

    public void OnBatchEnd(in BatchProgress batch)
    {
        Batches.Add(batch);
        BatchParameters.Add(model.Parameters.ToArray());
        OnBatch?.Invoke(batch);
    }

    public void OnEpochEnd(EpochRecord epoch)
    {
        Epochs.Add(epoch);
        EpochParameters.Add(model.Parameters.ToArray());
    }

    public void OnTrainingEnd(TrainingHistory history) => Ends++;
}
