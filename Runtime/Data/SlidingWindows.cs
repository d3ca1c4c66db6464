namespace ModelGen.Data;

/// <summary>
/// Supervised examples cut from a time series: windows of <see cref="Length"/> consecutive values as inputs, each
/// with the <see cref="Horizon"/> values that follow it as targets, for one-step (or multi-step) forecasting.
/// </summary>
/// <remarks>
/// Window i starts at <c>i · stride</c>: its inputs are <c>series[i·stride … i·stride + Length)</c> and its targets
/// <c>series[i·stride + Length … i·stride + Length + Horizon)</c>. Every window lies wholly inside the series, so a
/// series of n values gives <c>⌊(n − Length − Horizon) / stride⌋ + 1</c> windows (none when it is shorter than
/// <c>Length + Horizon</c>). <see cref="Inputs"/> is laid out [window][step][feature] with one feature per step,
/// which is exactly what <see cref="ISequenceModel"/> takes for <c>steps = Length</c>.
/// </remarks>
public sealed class SlidingWindows
{
    private SlidingWindows(float[] inputs, float[] targets, int count, int length, int horizon, int stride)
    {
        Inputs = inputs;
        Targets = targets;
        Count = count;
        Length = length;
        Horizon = horizon;
        Stride = stride;
    }

    /// <summary>
    /// The input windows, <see cref="Count"/> × <see cref="Length"/>, row-major; read as
    /// [<see cref="Count"/>][<see cref="Length"/>][1], the batch-major layout of a recurrent model with one
    /// feature per step.
    /// </summary>
    public float[] Inputs { get; }

    /// <summary>The targets, <see cref="Count"/> × <see cref="Horizon"/>, row-major.</summary>
    public float[] Targets { get; }

    /// <summary>The number of windows.</summary>
    public int Count { get; }

    /// <summary>The number of steps in a window (T).</summary>
    public int Length { get; }

    /// <summary>The number of values after a window that it is to predict (h).</summary>
    public int Horizon { get; }

    /// <summary>The distance between the starts of consecutive windows.</summary>
    public int Stride { get; }

    /// <summary>Cuts windows from <paramref name="series"/>.</summary>
    /// <param name="series">The series, oldest value first.</param>
    /// <param name="length">Steps per window, ≥ 1.</param>
    /// <param name="horizon">Values to predict after each window, ≥ 1.</param>
    /// <param name="stride">Distance between window starts, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is less than 1.</exception>
    public static SlidingWindows Create(ReadOnlySpan<float> series, int length, int horizon = 1, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);

        long span = (long)length + horizon;
        int count = series.Length < span ? 0 : (int)((series.Length - span) / stride + 1);
        var inputs = new float[checked(count * length)];
        var targets = new float[checked(count * horizon)];
        for (int i = 0; i < count; i++)
        {
            int start = i * stride;
            series.Slice(start, length).CopyTo(inputs.AsSpan(i * length, length));
            series.Slice(start + length, horizon).CopyTo(targets.AsSpan(i * horizon, horizon));
        }

        return new SlidingWindows(inputs, targets, count, length, horizon, stride);
    }

    /// <summary>The inputs of window <paramref name="index"/>.</summary>
    public Span<float> Input(int index) => Inputs.AsSpan(CheckIndex(index) * Length, Length);

    /// <summary>The targets of window <paramref name="index"/>.</summary>
    public Span<float> Target(int index) => Targets.AsSpan(CheckIndex(index) * Horizon, Horizon);

    /// <summary>
    /// The inputs as nested arrays, [<see cref="Count"/>][<see cref="Length"/>][1], for code that wants one array
    /// per window and step (models take the flat <see cref="Inputs"/>, which has the same order).
    /// </summary>
    public float[][][] ToSequences()
    {
        var sequences = new float[Count][][];
        for (int i = 0; i < Count; i++)
        {
            var steps = new float[Length][];
            for (int t = 0; t < Length; t++)
            {
                steps[t] = [Inputs[i * Length + t]];
            }

            sequences[i] = steps;
        }

        return sequences;
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Window must be in [0, {Count}).");
        return index;
    }
}
