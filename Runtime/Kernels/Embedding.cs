
namespace ModelGen.Kernels;

/// <summary>
/// Embedding lookup: row r of the output is row tokens[r] of a [V × D] table. Token ids arrive as floats
/// (the tensors are float) and must be integers in [0, V).
/// </summary>
public static class Embedding
{
    /// <summary>Throws unless every value is an integer id in [0, <paramref name="vocabulary"/>).</summary>
    /// <param name="tokens">Token ids stored as floats.</param>
    /// <param name="vocabulary">Table rows V.</param>
    /// <exception cref="ArgumentException">A value is not an integer in [0, V); the message names its row and value.</exception>
    public static void ValidateTokens(ReadOnlySpan<float> tokens, int vocabulary)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vocabulary);
        for (int r = 0; r < tokens.Length; r++)
        {
            float v = tokens[r];
            // NaN fails the first comparison; the cast check rejects fractions and stays exact below 2^24.
            if (!(v >= 0f && v < vocabulary && (float)(int)v == v))
                throw new ArgumentException(
                    $"Token at row {r} is {v}, which is not an integer id in [0, {vocabulary}).", nameof(tokens));
        }
    }

    /// <summary>y[r] = table[tokens[r]] for r &lt; rows.</summary>
    /// <param name="tokens">Token ids, at least <paramref name="rows"/> values.</param>
    /// <param name="table">Embedding table, [V × D].</param>
    /// <param name="y">Receives [rows × D].</param>
    /// <param name="rows">Lookups.</param>
    /// <param name="vocabulary">V.</param>
    /// <param name="dimension">D.</param>
    /// <exception cref="ArgumentException">A span is too short or an id is invalid (nothing is written then).</exception>
    public static void Forward(ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, Span<float> y, int rows, int vocabulary, int dimension)
    {
        Check(tokens.Length, table.Length, nameof(table), y.Length, nameof(y), rows, vocabulary, dimension);
        ValidateTokens(tokens.Slice(0, rows), vocabulary);
        for (int r = 0; r < rows; r++)
            table.Slice((int)tokens[r] * dimension, dimension).CopyTo(y.Slice(r * dimension, dimension));
    }

    /// <summary>dTable[tokens[r]] += dy[r] for r &lt; rows (repeated ids accumulate).</summary>
    /// <param name="tokens">Token ids, at least <paramref name="rows"/> values.</param>
    /// <param name="dy">Gradient w.r.t. the output, [rows × D].</param>
    /// <param name="dTable">Accumulates the table gradient, [V × D].</param>
    /// <param name="rows">Lookups.</param>
    /// <param name="vocabulary">V.</param>
    /// <param name="dimension">D.</param>
    /// <exception cref="ArgumentException">A span is too short or an id is invalid (nothing is written then).</exception>
    public static void Backward(ReadOnlySpan<float> tokens, ReadOnlySpan<float> dy, Span<float> dTable, int rows, int vocabulary, int dimension)
    {
        Check(tokens.Length, dTable.Length, nameof(dTable), dy.Length, nameof(dy), rows, vocabulary, dimension);
        ValidateTokens(tokens.Slice(0, rows), vocabulary);
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = dTable.Slice((int)tokens[r] * dimension, dimension);
            Elementwise.Add(row, dy.Slice(r * dimension, dimension), row);
        }
    }

    private static void Check(int tokens, int table, string tableName, int rowsLength, string rowsName, int rows, int vocabulary, int dimension)
    {
        KernelChecks.AtLeast(tokens, rows, "tokens");
        KernelChecks.AtLeast(table, KernelChecks.Elements(vocabulary, dimension), tableName);
        KernelChecks.AtLeast(rowsLength, KernelChecks.Elements(rows, dimension), rowsName);
    }
}
