using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class CsvTableTests
{
    private static CsvTable Parse(string text, bool hasHeader = true, char separator = ',') =>
        CsvTable.Read(new StringReader(text), hasHeader, separator);

    private static string ErrorOf(string text, bool hasHeader = true, char separator = ',') =>
        Assert.Throws<InvalidDataException>(() => Parse(text, hasHeader, separator)).Message;

    [Fact]
    public void ReadsHeaderAndRowMajorValues()
    {
        var table = Parse("x,y,z\n1,2,3\n4.5,-5e-1,6\n");
        Assert.True(table.HasHeader);
        Assert.Equal(["x", "y", "z"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);
        Assert.Equal(3, table.ColumnCount);
        Assert.Equal([1f, 2f, 3f, 4.5f, -0.5f, 6f], table.Values);
        Assert.Equal([2f, -0.5f], table.Column("y"));
        Assert.Equal([3f, 6f], table.Column(2));
        Assert.Equal([4.5f, -0.5f, 6f], table.Row(1).ToArray());
        Assert.Equal(1, table.IndexOf("y"));
        Assert.Throws<KeyNotFoundException>(() => table.Column("w"));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Column(3));
    }

    [Fact]
    public void WithoutHeaderNamesAreIndicesAndFirstLineIsData()
    {
        var table = Parse("1,2\r\n3,4\r\n", hasHeader: false);
        Assert.False(table.HasHeader);
        Assert.Equal(["0", "1"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);
        Assert.Equal([1f, 2f, 3f, 4f], table.Values);
        Assert.Equal([2f, 4f], table.Column("1"));
    }

    [Fact]
    public void QuotedFieldsAndNamesAreUnquoted()
    {
        var table = Parse("\"a,b\",\"say \"\"hi\"\"\"\n\"1.25\",2\n3,\" 4 \"\n");
        Assert.Equal(["a,b", "say \"hi\""], table.ColumnNames);
        Assert.Equal([1.25f, 2f, 3f, 4f], table.Values);
    }

    [Fact]
    public void SemicolonSeparatorKeepsPointAsDecimalSeparator()
    {
        var table = Parse("p;q\n1.5;2\n-3;4.25\n", separator: ';');
        Assert.Equal(["p", "q"], table.ColumnNames);
        Assert.Equal([1.5f, 2f, -3f, 4.25f], table.Values);

        // With the comma as separator, the same text is one column whose values are not numbers.
        Assert.Contains("'1.5;2' is not a number", ErrorOf("p;q\n1.5;2\n"));
    }

    [Fact]
    public void ParsesWithTheInvariantCultureWhateverTheCurrentOne()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal([1.5f, 2f], Parse("1.5;2\n", hasHeader: false, separator: ';').Values);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void BlankLinesAreSkippedAndStillCounted()
    {
        var table = Parse("\na,b\n\n1,2\n   \n3,4\n\n");
        Assert.Equal(2, table.RowCount);
        Assert.Equal([1f, 2f, 3f, 4f], table.Values);

        // Line numbers count the blank lines: "x" is on line 6.
        string message = ErrorOf("a,b\n\n1,2\n\t\n\n3,x\n");
        Assert.Contains("line 6, column 2 ('b')", message);
    }

    [Fact]
    public void RaggedRowNamesItsLine()
    {
        string message = ErrorOf("a,b\n1,2\n3,4,5\n");
        Assert.Contains("line 3", message);
        Assert.Contains("3 values, but the header has 2", message);

        message = ErrorOf("1,2,3\n4,5\n", hasHeader: false);
        Assert.Contains("line 2", message);
        Assert.Contains("2 values, but line 1 has 3", message);
    }

    [Fact]
    public void NonNumericAndEmptyValuesNameLineAndColumn()
    {
        string message = ErrorOf("a,b,c\n1,2,3\n4,five,6\n");
        Assert.Contains("line 3, column 2 ('b')", message);
        Assert.Contains("'five' is not a number", message);

        message = ErrorOf("1,2\n3,\n", hasHeader: false);
        Assert.Contains("line 2, column 2:", message);
        Assert.Contains("empty value", message);

        // Only the point is a decimal separator.
        Assert.Contains("line 1, column 1", ErrorOf("\"1,5\"\n", hasHeader: false));
    }

    [Fact]
    public void EmptyInputIsAnError()
    {
        Assert.Contains("empty", ErrorOf(""));
        Assert.Contains("empty", ErrorOf("", hasHeader: false));
        Assert.Contains("empty", ErrorOf("\n\n  \n", hasHeader: false));
    }

    [Fact]
    public void HeaderOnlyGivesNoRows()
    {
        var table = Parse("a,b\n");
        Assert.Equal(0, table.RowCount);
        Assert.Equal(2, table.ColumnCount);
        Assert.Empty(table.Column("b"));
    }

    [Fact]
    public void RepeatedColumnNameIsAnError()
    {
        string message = ErrorOf("a,b,a\n1,2,3\n");
        Assert.Contains("column 3", message);
        Assert.Contains("repeats column 1", message);
    }

    [Fact]
    public void LoadsFileAndNamesItInErrors()
    {
        using var temp = new TempFolder();
        string good = temp.File("good.csv");
        File.WriteAllText(good, "t;v\n0;1.5\n1;2.5\n");
        var table = CsvTable.Load(good, separator: ';');
        Assert.Equal([1.5f, 2.5f], table.Column("v"));

        string bad = temp.File("bad.csv");
        File.WriteAllText(bad, "t,v\n0,1\n1,?\n");
        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Load(bad));
        Assert.Contains("bad.csv line 3, column 2 ('v')", error.Message);
    }
}
