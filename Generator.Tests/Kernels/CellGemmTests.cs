using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests.Kernels;

/// <summary>
/// The recurrent layers' GEMM on a packed b (<see cref="CellGemm.PackTransposed"/>): the bits of the row-major
/// product at every width, over shapes that run the register tiles, their row and column remainders, several panels
/// (a last one narrower than <see cref="CellGemm.PanelWidth"/>) and more than one depth block; and near a
/// double-precision reference. The bias form (<see cref="CellGemm.MultiplyPackedBias"/>) gives the bits of filling
/// the rows with the bias and then adding.
/// </summary>
[Collection(nameof(CellPathCollection))]
public class CellGemmTests
{
    public static TheoryData<int, int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int width in RecurrentFastPathTests.Widths)
            foreach ((int m, int n, int k) in new[] { (1, 1, 1), (5, 17, 9), (16, 256, 64), (32, 384, 65), (33, 100, 130), (7, 64, 300) })
                data.Add(width, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PackedGivesTheBitsOfRowMajor_AndTheProduct(int width, int m, int n, int k)
    {
        var rng = new Random((m * 31) + (n * 7) + k);
        float[] a = Random(rng, m * k), w = Random(rng, n * k), c0 = Random(rng, m * n);
        float[] wt = new float[k * n];
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++)
                wt[(p * n) + j] = w[(j * k) + p];

        float[] rowMajor = (float[])c0.Clone(), packed = (float[])c0.Clone(), panels = new float[n * k];
        lock (CellPathCollection.Gate)
        {
            CellPath.Forced = width;
            try
            {
                CellGemm.MultiplyAdd(a, k, 1, wt, rowMajor, m, n, k);
                CellGemm.PackTransposed(w, panels, n, k);
                CellGemm.MultiplyAddPacked(a, k, 1, panels, packed, m, n, k);
            }
            finally
            {
                CellPath.Forced = 0;
            }
        }

        Assert.Equal(rowMajor, packed);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = c0[(i * n) + j];
                for (int p = 0; p < k; p++) expected += (double)a[(i * k) + p] * w[(j * k) + p];
                Assert.True(Math.Abs(packed[(i * n) + j] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"c[{i}, {j}]: expected {expected}, got {packed[(i * n) + j]}");
            }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BiasAsStartingValue_GivesTheBitsOfFillingThenAdding(int width, int m, int n, int k)
    {
        var rng = new Random((m * 17) + (n * 5) + k);
        float[] a = Random(rng, m * k), w = Random(rng, n * k), bias = Random(rng, n + 3);
        float[] panels = new float[n * k], filled = new float[m * n], fused = Random(rng, m * n);
        lock (CellPathCollection.Gate)
        {
            CellPath.Forced = width;
            try
            {
                CellGemm.PackTransposed(w, panels, n, k);
                Recurrence.FillRows(filled, bias.AsSpan(0, n), m);
                CellGemm.MultiplyAddPacked(a, k, 1, panels, filled, m, n, k);
                CellGemm.MultiplyPackedBias(a, k, 1, panels, bias, fused, m, n, k);
            }
            finally
            {
                CellPath.Forced = 0;
            }
        }

        Assert.Equal(filled, fused);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = bias[j];
                for (int p = 0; p < k; p++) expected += (double)a[(i * k) + p] * w[(j * k) + p];
                Assert.True(Math.Abs(fused[(i * n) + j] - expected) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"c[{i}, {j}]: expected {expected}, got {fused[(i * n) + j]}");
            }
    }

    [Fact]
    public void BiasAsStartingValue_WithNoDepth_IsTheBias_AndShortSpansThrowFirst()
    {
        float[] bias = [1f, 2f, 3f], c = new float[6];
        CellGemm.MultiplyPackedBias(ReadOnlySpan<float>.Empty, 0, 1, ReadOnlySpan<float>.Empty, bias, c, 2, 3, 0);
        Assert.Equal(new[] { 1f, 2f, 3f, 1f, 2f, 3f }, c);

        float[] untouched = [9f, 9f, 9f, 9f, 9f, 9f];
        Assert.Throws<ArgumentException>(() => CellGemm.MultiplyPackedBias(new float[4], 2, 1, new float[6], new float[2], untouched, 2, 3, 2));
        Assert.All(untouched, v => Assert.Equal(9f, v));
    }

    private static float[] Random(Random rng, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((rng.NextDouble() * 2) - 1);
        return values;
    }
}
