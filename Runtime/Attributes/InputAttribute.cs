namespace ModelGen;

/// <summary>
/// The shape of one input example: <c>[Input(784)]</c> for a vector, <c>[Input(1, 20, 20)]</c> for an
/// image as channels × height × width.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The dimensions of one example, outermost first.</summary>
    public int[] Shape { get; }
}
