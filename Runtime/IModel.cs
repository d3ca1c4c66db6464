namespace ModelGen;

/// <summary>
/// What every generated model offers, for code that works with any model (training loops, evaluation,
/// serialization). Generated classes implement it; call the class's own members directly where the type
/// is known, so the sizes stay compile-time constants.
/// </summary>
public interface IModel
{
    /// <summary>Floats in one input example.</summary>
    int InputSize { get; }

    /// <summary>Floats in one output example.</summary>
    int OutputSize { get; }

    /// <summary>The largest mini-batch the model accepts.</summary>
    int MaxBatchSize { get; }

    /// <summary>All trainable parameters as one span.</summary>
    Span<float> Parameters { get; }

    /// <summary>The gradient of the loss w.r.t. <see cref="Parameters"/> from the last backward pass.</summary>
    Span<float> Gradients { get; }

    /// <summary>Non-trainable state saved with the parameters (batch-norm running statistics).</summary>
    Span<float> State { get; }

    /// <summary>Saves the weights as safetensors with PyTorch state_dict names, atomically.</summary>
    void Save(string path);

    /// <summary>Loads safetensors weights, validating the whole file before changing the model.</summary>
    void Load(string path);

    /// <summary>Inference on a mini-batch of examples stored back to back.</summary>
    void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);

    /// <summary>The loss on a mini-batch in inference mode.</summary>
    float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize);

    /// <summary>Training-mode forward and backward: fills <see cref="Gradients"/>, returns the loss.</summary>
    float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize);

    /// <summary>Forward, backward and an optimizer update; returns the loss before the update.</summary>
    float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Optimizers.Optimizer optimizer);

    /// <summary>A Keras-style table of the layers.</summary>
    string Summary();
}
