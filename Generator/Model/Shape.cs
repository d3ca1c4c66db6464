using System.Linq;

namespace ModelGen.Generator.Model
{
    /// <summary>The shape of one example (no batch dimension): a vector, or channels × height × width.</summary>
    internal sealed record Shape(EquatableArray<int> Dimensions)
    {
        public static Shape Vector(int size) => new(new EquatableArray<int>(new[] { size }));

        public int Rank => Dimensions.Count;

        public int Size => Dimensions.Aggregate(1, (product, d) => product * d);

        /// <summary>Keras-style text with the batch dimension first, e.g. <c>(None, 32, 18, 18)</c>.</summary>
        public string ToBatchString() => "(None, " + string.Join(", ", Dimensions) + ")";

        public override string ToString() => string.Join("×", Dimensions);
    }
}
