using ModelGen.Kernels;

namespace ModelGen.Tests.Kernels;

/// <summary>CellKernels.Transpose: the 16 × 16 register blocks, their column and row leftovers, and the scalar path.</summary>
public class TransposeTests
{
    [Theory]
    [InlineData(16, 16)]   // one block
    [InlineData(256, 64)]  // whole blocks (an LSTM's W_hh at H = 64)
    [InlineData(81, 32)]   // a pooled image pixel-major: a row leftover below the blocks
    [InlineData(48, 41)]   // column leftovers beside the blocks
    [InlineData(32, 9)]    // fewer than 16 columns: no block at all (conv weights)
    [InlineData(5, 3)]
    [InlineData(1, 40)]
    public void MovesEveryElementToItsTransposedPlace(int rows, int cols)
    {
        float[] w = new float[rows * cols], wt = new float[rows * cols + 7];
        for (int i = 0; i < w.Length; i++) w[i] = i + 0.5f;
        Array.Fill(wt, -1f);
        CellKernels.Transpose(w, wt, rows, cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                Assert.True(wt[c * rows + r] == w[r * cols + c], $"[{r}, {c}]");
        Assert.All(wt[(rows * cols)..], v => Assert.Equal(-1f, v));
    }

    [Fact]
    public void RejectsShortSpans() =>
        Assert.Throws<ArgumentException>(() => CellKernels.Transpose(new float[10], new float[12], 3, 4));
}
