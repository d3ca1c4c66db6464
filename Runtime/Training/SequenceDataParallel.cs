namespace ModelGen.Training;

/// <summary>
/// <see cref="DataParallel{TModel}"/> for sequence models: every call takes the number of steps, and
/// <see cref="CarryState"/>/<see cref="BackpropSteps"/>/<see cref="ResetState"/> apply to every replica. With
/// <see cref="CarryState"/> on, each replica carries the state of its own shard, so keep the batch size fixed between
/// calls (the shards then hold the same examples). <see cref="RecurrentState"/> is the first replica's.
/// </summary>
/// <typeparam name="TModel">A generated sequence model class.</typeparam>
public sealed class SequenceDataParallel<TModel> : DataParallel<TModel>, ISequenceModel
    where TModel : class, ISequenceModel
{
    /// <inheritdoc cref="DataParallel{TModel}(Func{int, TModel}, int)"/>
    public SequenceDataParallel(Func<int, TModel> createReplica, int workers = 0)
        : base(createReplica, workers)
    {
    }

    public int MaxSequenceLength => Model.MaxSequenceLength;

    public bool CarryState
    {
        get => Model.CarryState;
        set => ForEach(model => model.CarryState = value);
    }

    public int BackpropSteps
    {
        get => Model.BackpropSteps;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ForEach(model => model.BackpropSteps = value);
        }
    }

    public Span<float> RecurrentState => Model.RecurrentState;

    public void ResetState() => ForEach(model => model.ResetState());

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize, int steps) =>
        Run(Pass.Forward, inputs, outputs, batchSize, Steps(steps));

    public float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps) =>
        Run(Pass.Loss, inputs, targets, batchSize, Steps(steps));

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps) =>
        Run(Pass.Gradients, inputs, targets, batchSize, Steps(steps));

    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps, Optimizers.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var loss = ComputeGradients(inputs, targets, batchSize, steps);
        optimizer.Step(Model.Parameters, Model.Gradients);
        return loss;
    }

    private protected override float RunReplica(TModel model, Pass pass, ReadOnlySpan<float> inputs, Span<float> second, int batchSize, int steps)
    {
        if (steps == 0)
        {
            return base.RunReplica(model, pass, inputs, second, batchSize, steps);
        }

        switch (pass)
        {
            case Pass.Forward:
                model.Forward(inputs, second, batchSize, steps);
                return 0f;
            case Pass.Loss:
                return model.ComputeLoss(inputs, second, batchSize, steps);
            default:
                return model.ComputeGradients(inputs, second, batchSize, steps);
        }
    }

    private int Steps(int steps)
    {
        ModelGuard.Steps(steps, MaxSequenceLength);
        return steps;
    }

    private void ForEach(Action<TModel> action)
    {
        for (var i = 0; i < Workers; i++)
        {
            action(Replica(i));
        }
    }
}
