namespace ModelGen;

/// <summary>
/// Average pooling per channel over <see cref="Size"/> × <see cref="Size"/> windows (e.g. 2×2: 32×32×3 → 16×16×3).
/// No parameters; the backward pass spreads each gradient evenly over its window.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Attribute
{
    public AvgPool2DAttribute(int size) => Size = size;

    /// <summary>The window's height and width.</summary>
    public int Size { get; }

    /// <summary>The step between windows; 0 (default) means <see cref="Size"/> (non-overlapping windows).</summary>
    public int Stride { get; set; }
}
