using Xunit;

namespace ModelGen.Tests.Optimizers;

internal static class Assertions
{
    /// <summary>Element-wise |expected − actual| ≤ tolerance.</summary>
    public static void Near(float[] expected, ReadOnlySpan<float> actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                MathF.Abs(expected[i] - actual[i]) <= tolerance,
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
