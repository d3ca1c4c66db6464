namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Presents a sequence model as an <see cref="IModel"/> whose passes run <c>steps</c> steps (fewer than the
/// maximum), optionally each starting from the same carried state (captured at construction).
/// </summary>
internal sealed class FixedSteps : IModel
{
    private readonly ISequenceModel _model;
    private readonly int _steps;
    private readonly float[]? _state;

    public FixedSteps(ISequenceModel model, int steps, bool restoreState = false)
    {
        _model = model;
        _steps = steps;
        _state = restoreState ? model.RecurrentState.ToArray() : null;
    }

    public int InputSize => _model.InputSize;

    public int OutputSize => _model.OutputSize;

    public int MaxBatchSize => _model.MaxBatchSize;

    public Span<float> Parameters => _model.Parameters;

    public Span<float> Gradients => _model.Gradients;

    public Span<float> State => _model.State;

    public void Save(string path) => _model.Save(path);

    public void Load(string path) => _model.Load(path);

    public void Forward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        _state?.CopyTo(_model.RecurrentState);
        _model.Forward(inputs, outputs, batchSize, _steps);
    }

    public float ComputeLoss(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        _state?.CopyTo(_model.RecurrentState);
        return _model.ComputeLoss(inputs, targets, batchSize, _steps);
    }

    public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        _state?.CopyTo(_model.RecurrentState);
        return _model.ComputeGradients(inputs, targets, batchSize, _steps);
    }

    public float TrainStep(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, ModelGen.Optimizers.Optimizer optimizer) =>
        throw new NotSupportedException("FixedSteps is for gradient checks.");

    public string Summary() => _model.Summary();
}
