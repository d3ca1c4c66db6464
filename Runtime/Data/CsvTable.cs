using System.Globalization;
using CsvHelper;

namespace ModelGen.Data;

/// <summary>
/// A table of numbers read from CSV text: optional column names and the values row-major as floats, ready to
/// be standardized (<see cref="ColumnStandardizer"/>) and fed to a model.
/// </summary>
/// <remarks>
/// <para>
/// Parsing is done by CsvHelper, so RFC 4180 quoting works as usual: a field may be quoted
/// (<c>"1.5"</c>), and a quoted header name may contain the separator or doubled quotes. Completely empty lines
/// and lines of spaces and tabs only are skipped. Values are parsed with the invariant culture (a point as the
/// decimal separator, an optional exponent, surrounding whitespace allowed); <c>NaN</c> and <c>Infinity</c>
/// are accepted as written, and a value beyond the range of <see cref="float"/> reads as an infinity.
/// </para>
/// <para>
/// Every problem is an <see cref="InvalidDataException"/> whose message names the source, the 1-based line of
/// the input (counting every line, blank ones and the header included) and, where one is at fault, the 1-based
/// column and its name: an empty input, a record with more or fewer fields than the first one, an empty or
/// non-numeric value, a repeated column name, malformed quoting.
/// </para>
/// </remarks>
public sealed class CsvTable
{
    private const string DefaultSource = "CSV input";

    private readonly string[] _names;

    private CsvTable(string[] names, bool hasHeader, float[] values, int rows)
    {
        _names = names;
        HasHeader = hasHeader;
        Values = values;
        RowCount = rows;
    }

    /// <summary>
    /// The column names: those of the header row, or, without one, the column indices written out
    /// (<c>"0"</c>, <c>"1"</c>, …).
    /// </summary>
    public IReadOnlyList<string> ColumnNames => _names;

    /// <summary>Whether the names came from a header row.</summary>
    public bool HasHeader { get; }

    /// <summary>The number of data rows (the header not counted).</summary>
    public int RowCount { get; }

    /// <summary>The number of columns.</summary>
    public int ColumnCount => _names.Length;

    /// <summary>The values, <see cref="RowCount"/> × <see cref="ColumnCount"/>, row-major.</summary>
    public float[] Values { get; }

    /// <summary>The values of row <paramref name="row"/>.</summary>
    public Span<float> Row(int row)
    {
        if ((uint)row >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {RowCount}).");
        return Values.AsSpan(row * ColumnCount, ColumnCount);
    }

    /// <summary>A copy of column <paramref name="index"/>, one value per row.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a column.</exception>
    public float[] Column(int index)
    {
        if ((uint)index >= (uint)ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Column must be in [0, {ColumnCount}).");
        var column = new float[RowCount];
        for (int r = 0; r < column.Length; r++)
        {
            column[r] = Values[r * ColumnCount + index];
        }

        return column;
    }

    /// <summary>A copy of the column named <paramref name="name"/> (exact, case-sensitive match).</summary>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public float[] Column(string name) => Column(IndexOf(name));

    /// <summary>The index of the column named <paramref name="name"/> (exact, case-sensitive match).</summary>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = Array.IndexOf(_names, name);
        if (index < 0)
            throw new KeyNotFoundException($"No column is named '{name}'; the columns are {string.Join(", ", _names.Select(n => $"'{n}'"))}.");
        return index;
    }

    /// <summary>Reads the CSV file at <paramref name="path"/> (UTF-8, or as its byte order mark says).</summary>
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">Whether the first non-blank line holds the column names.</param>
    /// <param name="separator">The field separator, an ASCII character other than the quote.</param>
    /// <exception cref="InvalidDataException">The file is not a numeric table; the message says where.</exception>
    public static CsvTable Load(string path, bool hasHeader = true, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        return Read(reader, hasHeader, separator, path);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>, to its end; the reader is left open.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="hasHeader">Whether the first non-blank line holds the column names.</param>
    /// <param name="separator">The field separator, an ASCII character other than the quote.</param>
    /// <param name="source">What error messages call the input, such as a file name.</param>
    /// <exception cref="InvalidDataException">The text is not a numeric table; the message says where.</exception>
    public static CsvTable Read(TextReader reader, bool hasHeader = true, char separator = ',', string source = DefaultSource)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        if (separator is '"' or '\r' or '\n' or > '\x7F')
            throw new ArgumentOutOfRangeException(nameof(separator), separator, "The separator must be an ASCII character other than a quote or a line break.");

        var options = CsvReaderOptions.Default with
        {
            Separator = separator,
            HasHeader = hasHeader,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            FormatProvider = CultureInfo.InvariantCulture,
        };

        try
        {
            using var csv = CsvReader.Create(reader, options, leaveOpen: true);
            return Parse(csv, hasHeader, source);
        }
        catch (CsvFormatException e)
        {
            string where = e.LineNumber > 0 ? $" line {e.LineNumber}" : "";
            throw new InvalidDataException($"{source}{where}: malformed CSV: {e.Message}", e);
        }
    }

    private static CsvTable Parse(CsvReader csv, bool hasHeader, string source)
    {
        string[]? names = null;
        int headerLine = 0;
        if (hasHeader)
        {
            names = [.. csv.Headers];
            if (names.Length == 0 || (names.Length == 1 && string.IsNullOrWhiteSpace(names[0])))
                throw new InvalidDataException($"{source} line 1: the input is empty; expected a header row.");
            for (int c = 1; c < names.Length; c++)
            {
                int first = Array.IndexOf(names, names[c], 0, c);
                if (first >= 0)
                    throw new InvalidDataException($"{source} header, column {c + 1}: the name '{names[c]}' repeats column {first + 1}.");
            }

            headerLine = 1;
        }

        var values = new List<float>();
        int rows = 0, columns = names?.Length ?? -1, firstLine = headerLine;
        while (csv.Read())
        {
            long line = csv.LineNumber;
            int fields = csv.FieldCount;
            if (fields == 1 && IsBlank(csv.GetSpan(0)))
            {
                continue;
            }

            if (columns < 0)
            {
                columns = fields;
                firstLine = (int)line;
            }
            else if (fields != columns)
            {
                string reference = hasHeader ? "the header" : $"line {firstLine}";
                throw new InvalidDataException($"{source} line {line}: {fields} values, but {reference} has {columns}.");
            }

            for (int c = 0; c < fields; c++)
            {
                ReadOnlySpan<byte> text = csv.GetSpan(c);
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || IsBlank(text))
                {
                    string name = names is null ? "" : $" ('{names[c]}')";
                    string what = IsBlank(text) ? "an empty value" : $"'{csv.GetString(c)}' is not a number";
                    throw new InvalidDataException($"{source} line {line}, column {c + 1}{name}: {what}.");
                }

                values.Add(value);
            }

            rows++;
        }

        if (columns < 0)
            throw new InvalidDataException($"{source} line 1: the input is empty; expected at least one row of numbers.");

        names ??= [.. Enumerable.Range(0, columns).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        return new CsvTable(names, hasHeader, [.. values], rows);
    }

    private static bool IsBlank(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }
}
