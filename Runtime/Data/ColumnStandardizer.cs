namespace ModelGen.Data;

/// <summary>
/// Standardizes each column of a row-major table to mean 0 and standard deviation 1 on its own, as fitted on the
/// training rows and then applied unchanged to validation and test rows; the tabular counterpart of
/// <see cref="Standardizer"/>, whose single mean suits pixels but not columns of different units.
/// </summary>
public sealed class ColumnStandardizer
{
    private readonly float[] _means;
    private readonly float[] _deviations;

    private ColumnStandardizer(float[] means, float[] deviations)
    {
        _means = means;
        _deviations = deviations;
    }

    /// <summary>The number of columns.</summary>
    public int Columns => _means.Length;

    /// <summary>The mean of each fitted column.</summary>
    public IReadOnlyList<float> Means => _means;

    /// <summary>The (population) standard deviation of each fitted column; 1 where that was 0.</summary>
    public IReadOnlyList<float> StandardDeviations => _deviations;

    /// <summary>Fits every column of <paramref name="table"/>, rows of <paramref name="columns"/> values back to back.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="columns"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="table"/> is empty or not a whole number of rows.</exception>
    public static ColumnStandardizer Fit(ReadOnlySpan<float> table, int columns)
    {
        int rows = CheckTable(table, columns, nameof(table));
        if (rows == 0)
            throw new ArgumentException("Cannot fit to no data.", nameof(table));

        // Two passes in double precision, as Standardizer does.
        var sums = new double[columns];
        for (int i = 0; i < table.Length; i++)
        {
            sums[i % columns] += table[i];
        }

        var means = new double[columns];
        for (int c = 0; c < columns; c++)
        {
            means[c] = sums[c] / rows;
        }

        var squares = new double[columns];
        for (int i = 0; i < table.Length; i++)
        {
            double d = table[i] - means[i % columns];
            squares[i % columns] += d * d;
        }

        var meanFloats = new float[columns];
        var deviations = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            double std = Math.Sqrt(squares[c] / rows);
            meanFloats[c] = (float)means[c];
            deviations[c] = std > 0 ? (float)std : 1f;
        }

        return new ColumnStandardizer(meanFloats, deviations);
    }

    /// <summary>Replaces every value x of column c by (x − mean[c]) / std[c], in place.</summary>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a whole number of rows of <see cref="Columns"/>.</exception>
    public void Transform(Span<float> table)
    {
        CheckTable(table, Columns, nameof(table));
        for (int c = 0; c < Columns; c++)
        {
            float mean = _means[c], scale = 1f / _deviations[c];
            for (int i = c; i < table.Length; i += Columns)
            {
                table[i] = (table[i] - mean) * scale;
            }
        }
    }

    /// <summary>Undoes <see cref="Transform"/>: every value z of column c becomes z · std[c] + mean[c], in place.</summary>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a whole number of rows of <see cref="Columns"/>.</exception>
    public void Inverse(Span<float> table)
    {
        CheckTable(table, Columns, nameof(table));
        for (int c = 0; c < Columns; c++)
        {
            float mean = _means[c], std = _deviations[c];
            for (int i = c; i < table.Length; i += Columns)
            {
                table[i] = table[i] * std + mean;
            }
        }
    }

    /// <summary>Standardizes <paramref name="values"/>, all of column <paramref name="column"/>, in place.</summary>
    public void TransformColumn(Span<float> values, int column)
    {
        CheckColumn(column);
        float mean = _means[column], scale = 1f / _deviations[column];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] - mean) * scale;
        }
    }

    /// <summary>
    /// Undoes the standardization of <paramref name="values"/>, all of column <paramref name="column"/>, in place:
    /// such as a model's predictions of a standardized target column, back in the column's units.
    /// </summary>
    public void InverseColumn(Span<float> values, int column)
    {
        CheckColumn(column);
        float mean = _means[column], std = _deviations[column];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = values[i] * std + mean;
        }
    }

    private void CheckColumn(int column)
    {
        if ((uint)column >= (uint)Columns)
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in [0, {Columns}).");
    }

    private static int CheckTable(ReadOnlySpan<float> table, int columns, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (table.Length % columns != 0)
            throw new ArgumentException($"{table.Length} values are not a whole number of rows of {columns}.", name);
        return table.Length / columns;
    }
}
