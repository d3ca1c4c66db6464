using ModelGen.Data;

namespace ModelGen.Tests.Data;

public class ColumnStandardizerTests
{
    // Column 0: 1, 3, 5 (mean 3, std √(8/3)); column 1: 100, 200, 300 (mean 200, std 100·√(2/3)); column 2 constant.
    private static readonly float[] Table = [1, 100, 7, 3, 200, 7, 5, 300, 7];

    [Fact]
    public void FitsEachColumnOnItsOwn()
    {
        var standardizer = ColumnStandardizer.Fit(Table, 3);
        Assert.Equal(3, standardizer.Columns);
        Assert.Equal([3f, 200f, 7f], standardizer.Means);
        Assert.Equal(MathF.Sqrt(8f / 3), standardizer.StandardDeviations[0], 1e-6f);
        Assert.Equal(100 * MathF.Sqrt(2f / 3), standardizer.StandardDeviations[1], 1e-3f);
        Assert.Equal(1f, standardizer.StandardDeviations[2]);
    }

    [Fact]
    public void TransformGivesZeroMeanUnitDeviationPerColumnAndInverseUndoesIt()
    {
        var standardizer = ColumnStandardizer.Fit(Table, 3);
        float[] data = [.. Table];
        standardizer.Transform(data);
        for (int c = 0; c < 2; c++)
        {
            float[] column = [data[c], data[3 + c], data[6 + c]];
            Assert.Equal(0f, column.Average(), 1e-6f);
            Assert.Equal(1f, MathF.Sqrt(column.Select(x => x * x).Average()), 1e-5f);
        }

        Assert.Equal(-1.2247449f, data[0], 1e-5f);
        Assert.Equal([0f, 0f, 0f], new[] { data[2], data[5], data[8] });

        standardizer.Inverse(data);
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(Table[i], data[i], 1e-4f);
        }
    }

    [Fact]
    public void SingleColumnTransformsMatchTheTableOnes()
    {
        var standardizer = ColumnStandardizer.Fit(Table, 3);
        float[] table = [.. Table];
        standardizer.Transform(table);
        float[] column = [100, 200, 300];
        standardizer.TransformColumn(column, 1);
        Assert.Equal(new[] { table[1], table[4], table[7] }, column);
        standardizer.InverseColumn(column, 1);
        Assert.Equal([100f, 200f, 300f], column);
        Assert.Throws<ArgumentOutOfRangeException>(() => standardizer.TransformColumn(column, 3));
    }

    [Fact]
    public void RejectsBadShapes()
    {
        Assert.Throws<ArgumentException>(() => ColumnStandardizer.Fit([], 2));
        Assert.Throws<ArgumentException>(() => ColumnStandardizer.Fit([1, 2, 3], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ColumnStandardizer.Fit([1, 2], 0));
        var standardizer = ColumnStandardizer.Fit(Table, 3);
        Assert.Throws<ArgumentException>(() => standardizer.Transform(new float[4]));
    }

    [Fact]
    public void StandardizerInverseUndoesTransform()
    {
        float[] data = [2, 4, 4, 4, 5, 5, 7, 9];
        var standardizer = Standardizer.Fit(data);
        Assert.Equal((5f, 2f), (standardizer.Mean, standardizer.StandardDeviation));
        float[] copy = [.. data];
        standardizer.Transform(copy);
        Assert.Equal(-1.5f, copy[0]);
        standardizer.Inverse(copy);
        Assert.Equal(data, copy);
    }
}
