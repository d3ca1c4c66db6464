namespace ModelGen;

/// <summary>Flattens a multi-dimensional example (e.g. C × H × W feature maps) into a vector; no parameters, no copy.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}
