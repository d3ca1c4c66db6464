using System.Diagnostics.CodeAnalysis;

namespace ModelGen.Kernels;

/// <summary>
/// Up-front argument validation shared by the kernels, so hot loops can run unchecked. Each check is a compare
/// that inlines into its caller; the exceptions (and their messages) are built in separate methods that only a
/// failing check calls.
/// </summary>
internal static class KernelChecks
{
    /// <summary>Throws unless <paramref name="rows"/>·<paramref name="cols"/> is a valid element count.</summary>
    public static int Elements(int rows, int cols)
    {
        long count = (long)rows * cols;
        if ((rows | cols) < 0 || count > int.MaxValue) ThrowBadElements(rows, cols);
        return (int)count;
    }

    /// <summary>Throws when a span is shorter than the <paramref name="expected"/> element count.</summary>
    public static void AtLeast(int actual, int expected, string name)
    {
        if (actual < expected) ThrowTooShort(actual, expected, name);
    }

    /// <summary>Throws when two elementwise operands differ in length.</summary>
    public static void SameLength(int actual, int expected, string name)
    {
        if (actual != expected) ThrowLengthMismatch(actual, expected, name);
    }

    [DoesNotReturn]
    private static void ThrowBadElements(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        throw new ArgumentException($"rows×cols = {(long)rows * cols} exceeds the largest span length.");
    }

    [DoesNotReturn]
    private static void ThrowTooShort(int actual, int expected, string name)
        => throw new ArgumentException($"Span '{name}' needs at least {expected} elements but has {actual}.", name);

    [DoesNotReturn]
    private static void ThrowLengthMismatch(int actual, int expected, string name)
        => throw new ArgumentException($"Span '{name}' must have exactly {expected} elements but has {actual}.", name);
}
