namespace ModelGen.Tests.Infrastructure;

/// <summary>Seeded random inputs and targets for model tests.</summary>
internal static class TestData
{
    public static float[] Uniform(int length, ulong seed, float scale = 1f)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = ((rng.NextFloat() * 2) - 1) * scale;
        }

        return values;
    }

    /// <summary>One-hot rows with a random class each.</summary>
    public static float[] OneHot(int rows, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[rows * classes];
        for (var r = 0; r < rows; r++)
        {
            values[(r * classes) + rng.NextInt(classes)] = 1;
        }

        return values;
    }
}
