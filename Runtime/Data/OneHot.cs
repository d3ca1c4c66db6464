namespace ModelGen.Data;

/// <summary>
/// One-hot encoding of class labels (or token ids) as rows of floats, for softmax cross-entropy targets, and
/// its inverse: the index of the largest value of each row.
/// </summary>
public static class OneHot
{
    /// <summary>
    /// Encodes <paramref name="labels"/> as a new array of <c>labels.Length</c> rows of <paramref name="classes"/>
    /// floats, row-major: row i is 1 at column <c>labels[i]</c> and 0 elsewhere.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, or a label is not
    /// in [0, <paramref name="classes"/>).</exception>
    public static float[] Encode(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var rows = new float[checked(labels.Length * classes)];
        Encode(labels, classes, rows);
        return rows;
    }

    /// <summary>
    /// Encodes <paramref name="labels"/> into <paramref name="destination"/>, <c>labels.Length</c> ×
    /// <paramref name="classes"/>, which is overwritten whole.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1, or a label is not
    /// in [0, <paramref name="classes"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly
    /// <c>labels.Length</c> × <paramref name="classes"/> long.</exception>
    public static void Encode(ReadOnlySpan<int> labels, int classes, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (destination.Length != (long)labels.Length * classes)
            throw new ArgumentException($"Destination holds {destination.Length} floats, not {labels.Length} × {classes}.", nameof(destination));

        // Checked first, so a bad label leaves the destination untouched.
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is {labels[i]}, not in [0, {classes}).");
        }

        destination.Clear();
        for (int i = 0; i < labels.Length; i++)
        {
            destination[i * classes + labels[i]] = 1f;
        }
    }

    /// <summary>
    /// The index of the largest value of each row of <paramref name="rows"/> (one-hot targets, probabilities or
    /// logits), <c>rows.Length / classes</c> rows of <paramref name="classes"/> values.
    /// </summary>
    /// <remarks>Ties go to the lowest index; NaN values never win (a row of NaN only decodes to 0).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is not a whole number of rows.</exception>
    public static int[] Decode(ReadOnlySpan<float> rows, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (rows.Length % classes != 0)
            throw new ArgumentException($"{rows.Length} values are not a whole number of rows of {classes}.", nameof(rows));
        var labels = new int[rows.Length / classes];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = ArgMax(rows.Slice(i * classes, classes));
        }

        return labels;
    }

    /// <summary>The index of the largest value of <paramref name="row"/>; ties go to the lowest index, NaN never wins.</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        if (row.IsEmpty)
            throw new ArgumentException("An empty row has no largest value.", nameof(row));
        int best = 0;
        float max = row[0];
        for (int c = 1; c < row.Length; c++)
        {
            if (row[c] > max || (float.IsNaN(max) && !float.IsNaN(row[c])))
            {
                max = row[c];
                best = c;
            }
        }

        return best;
    }
}
