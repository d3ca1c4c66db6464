namespace ModelGen;

/// <summary>What generated models with a sequence input offer beyond <see cref="IModel"/> (whose calls run full-length sequences).</summary>
public interface ISequenceModel : IModel
{
    /// <summary>The longest sequence the model accepts.</summary>
    int MaxSequenceLength { get; }

    /// <summary>When true, each call starts from the state the previous one ended with (stateful TBPTT).</summary>
    bool CarryState { get; set; }

    /// <summary>Truncated BPTT: back-propagate through at most this many final steps (0: all).</summary>
    int BackpropSteps { get; set; }

    /// <summary>The recurrent state carried between calls.</summary>
    Span<float> RecurrentState { get; }

    /// <summary>Zeroes <see cref="RecurrentState"/>.</summary>
    void ResetState();

    /// <summary>Inference on sequences of <paramref name="steps"/> steps, laid out [batch][step][features].</summary>
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize, int steps);

    /// <summary>The loss in inference mode.</summary>
    float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps);

    /// <summary>Training-mode forward and BPTT; returns the loss.</summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps);

    /// <summary>Forward, BPTT and an optimizer update; returns the loss before the update.</summary>
    float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, int steps, Optimizers.Optimizer optimizer);
}
