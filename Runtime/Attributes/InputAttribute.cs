namespace ModelGen;

/// <summary>
/// The shape of one input example: <c>[Input(784)]</c> for a vector, <c>[Input(1, 20, 20)]</c> for an
/// image as channels × height × width, <c>[Input(65, MaxSequenceLength = 64)]</c> for a sequence of up to
/// 64 steps of 65 features each (examples laid out <c>[batch][time][features]</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    public InputAttribute(params int[] shape) => Shape = shape;

    /// <summary>The dimensions of one example, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>
    /// When positive, each example is a sequence of up to this many steps of <see cref="Shape"/> (which must
    /// be a vector); buffers are sized for it and shorter sequences run too. 0 (default): not a sequence.
    /// </summary>
    public int MaxSequenceLength { get; set; }
}
