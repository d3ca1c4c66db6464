namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Central finite differences of the loss w.r.t. every parameter, compared with the model's backward pass.
/// The model is float32, so the step is 1e-2-ish and the tolerance is relative to the gradient's norm: wide
/// enough for float rounding, far too narrow for a wrong sign or a missing term (see the self-test).
/// </summary>
internal static class GradientCheck
{
    public static void Assert(IModel model, float[] inputs, float[] targets, int batchSize, Action? beforeEachPass = null, double epsilon = 3e-3)
    {
        var result = Compare(model, inputs, targets, batchSize, beforeEachPass, epsilon, analytic => { });
        Xunit.Assert.True(result.Passed, result.Report);
    }

    /// <summary>Runs the comparison; <paramref name="tamper"/> may alter the analytic gradient (for the self-test).</summary>
    public static GradientCheckResult Compare(
        IModel model, float[] inputs, float[] targets, int batchSize, Action? beforeEachPass, double epsilon, Action<double[]> tamper) =>
        Compare(() => model.Parameters, () => model.Gradients, () => model.ComputeGradients(inputs, targets, batchSize), beforeEachPass, epsilon, tamper);

    /// <summary>The check for any model shape: <paramref name="pass"/> runs a training pass that fills the gradients and returns the loss.</summary>
    public static void Assert(SpanGetter parameters, SpanGetter gradients, Func<float> pass, double epsilon = 3e-3)
    {
        var result = Compare(parameters, gradients, pass, null, epsilon, analytic => { });
        Xunit.Assert.True(result.Passed, result.Report);
    }

    public static GradientCheckResult Compare(
        SpanGetter parameters, SpanGetter gradients, Func<float> pass, Action? beforeEachPass, double epsilon, Action<double[]> tamper)
    {
        beforeEachPass?.Invoke();
        pass();
        var analytic = gradients().ToArray().Select(g => (double)g).ToArray();
        tamper(analytic);

        var numeric = new double[analytic.Length];
        for (var i = 0; i < numeric.Length; i++)
        {
            var original = parameters()[i];
            parameters()[i] = original + (float)epsilon;
            var actualPlus = parameters()[i] - original;
            beforeEachPass?.Invoke();
            double plus = pass();
            parameters()[i] = original - (float)epsilon;
            var actualMinus = original - parameters()[i];
            beforeEachPass?.Invoke();
            double minus = pass();
            parameters()[i] = original;
            numeric[i] = (plus - minus) / (actualPlus + actualMinus);
        }

        var differenceNorm = Math.Sqrt(analytic.Zip(numeric, (a, n) => (a - n) * (a - n)).Sum());
        var scale = Math.Max(Math.Sqrt(numeric.Sum(n => n * n)), 1e-6);
        var relative = differenceNorm / scale;
        var worst = Enumerable.Range(0, numeric.Length).MaxBy(i => Math.Abs(analytic[i] - numeric[i]));
        var elementTolerance = 2e-3 + (0.05 * Math.Abs(numeric[worst]));
        var passed = relative < 0.01 && Math.Abs(analytic[worst] - numeric[worst]) < elementTolerance;
        var report = $"relative error {relative:E2} over {numeric.Length} parameters; worst at {worst}: analytic {analytic[worst]:G6}, numeric {numeric[worst]:G6}";
        return new GradientCheckResult(passed, relative, report);
    }
}

/// <summary>Returns a model's parameter or gradient span (a span cannot be a generic type argument).</summary>
internal delegate Span<float> SpanGetter();

internal sealed record GradientCheckResult(bool Passed, double RelativeError, string Report);
