using System.Linq;

namespace ModelGen.Generator.Model
{
    /// <summary>
    /// The shape of one example (no batch dimension): a vector, channels × height × width, or, when
    /// <paramref name="Steps"/> is positive, a sequence of up to that many steps of <paramref name="Dimensions"/>.
    /// </summary>
    internal sealed record Shape(EquatableArray<int> Dimensions, int Steps = 0)
    {
        public static Shape Vector(int size) => new(new EquatableArray<int>(new[] { size }));

        public static Shape Sequence(int steps, int size) => new(new EquatableArray<int>(new[] { size }), steps);

        public int Rank => Dimensions.Count;

        public bool IsSequence => Steps > 0;

        /// <summary>Floats per example, or per step for a sequence.</summary>
        public int Size => Dimensions.Aggregate(1, (product, d) => product * d);

        /// <summary>Floats a buffer needs per example: <see cref="Size"/> times the maximum number of steps.</summary>
        public int Capacity => IsSequence ? Steps * Size : Size;

        /// <summary>Keras-style text with the batch dimension first, e.g. <c>(None, 32, 18, 18)</c> or <c>(None, 64, 128)</c>.</summary>
        public string ToBatchString() => "(None, " + (IsSequence ? Steps + ", " : string.Empty) + string.Join(", ", Dimensions) + ")";

        public override string ToString() => (IsSequence ? Steps + " steps × " : string.Empty) + string.Join("×", Dimensions);
    }
}
