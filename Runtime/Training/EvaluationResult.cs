namespace ModelGen.Training;

/// <summary>A model's inference-mode loss and metric on a data set.</summary>
/// <param name="Loss">Mean loss per example.</param>
/// <param name="Metric">The metric's value, or null for <see cref="MetricKind.None"/>.</param>
/// <param name="MetricKind">Which metric <paramref name="Metric"/> is.</param>
public readonly record struct EvaluationResult(double Loss, double? Metric, MetricKind MetricKind);
