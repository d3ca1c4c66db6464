namespace ModelGen.Serialization;

/// <summary>
/// One named tensor of a model as it is saved: its PyTorch <c>state_dict</c> name, its shape, and where its
/// values live (the parameter buffer, or the non-trainable state buffer) at which offset.
/// </summary>
public sealed record TensorInfo(string Name, int[] Shape, bool IsState, int Offset)
{
    /// <summary>Number of values: the product of <see cref="Shape"/>.</summary>
    public int Length
    {
        get
        {
            var length = 1;
            foreach (var dimension in Shape)
            {
                length *= dimension;
            }

            return length;
        }
    }

    /// <summary>The shape as PyTorch prints it, e.g. <c>[16, 2]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
