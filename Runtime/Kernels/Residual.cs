
namespace ModelGen.Kernels;

/// <summary>Skip connections.</summary>
public static class Residual
{
    /// <summary>y += skip, elementwise.</summary>
    /// <param name="skip">The skipped activation; same length as <paramref name="y"/>.</param>
    /// <param name="y">Block output, updated in place.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Add(ReadOnlySpan<float> skip, Span<float> y)
    {
        KernelChecks.SameLength(skip.Length, y.Length, nameof(skip));
        Elementwise.Add(y, skip, y);
    }
}
