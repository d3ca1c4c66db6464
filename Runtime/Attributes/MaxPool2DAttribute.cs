namespace ModelGen;

/// <summary>
/// Max pooling per channel over <see cref="Size"/> × <see cref="Size"/> windows (e.g. 2×2: 32×32×3 → 16×16×3).
/// No parameters; the backward pass routes each gradient to the window's maximum.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Attribute
{
    public MaxPool2DAttribute(int size) => Size = size;

    /// <summary>The window's height and width.</summary>
    public int Size { get; }

    /// <summary>The step between windows; 0 (default) means <see cref="Size"/> (non-overlapping windows).</summary>
    public int Stride { get; set; }
}
