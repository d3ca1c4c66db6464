namespace ModelGen.Kernels;

/// <summary>Up-front argument validation shared by the kernels, so hot loops can run unchecked.</summary>
internal static class KernelChecks
{
    /// <summary>Throws unless <paramref name="rows"/>·<paramref name="cols"/> is a valid element count.</summary>
    public static int Elements(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long count = (long)rows * cols;
        if (count > int.MaxValue)
            throw new ArgumentException($"rows×cols = {count} exceeds the largest span length.");
        return (int)count;
    }

    /// <summary>Throws when a span is shorter than the <paramref name="expected"/> element count.</summary>
    public static void AtLeast(int actual, int expected, string name)
    {
        if (actual < expected)
            throw new ArgumentException($"Span '{name}' needs at least {expected} elements but has {actual}.", name);
    }

    /// <summary>Throws when two elementwise operands differ in length.</summary>
    public static void SameLength(int actual, int expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"Span '{name}' must have exactly {expected} elements but has {actual}.", name);
    }
}
