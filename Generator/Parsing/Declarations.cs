using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Parsing
{
    // The attributes of one [Model] class as read from source, with the real Location of each attribute
    // so that diagnostics point at it (and #pragma can silence them). These objects live only inside the
    // parse transform; what leaves it is a ModelSpec of plain values.

    internal sealed class ModelDeclaration
    {
        public ModelDeclaration(
            string @namespace,
            string className,
            int loss,
            int maxBatchSize,
            Location modelLocation,
            InputDeclaration? input,
            ImmutableArray<LayerDeclaration> layers)
        {
            Namespace = @namespace;
            ClassName = className;
            Loss = loss;
            MaxBatchSize = maxBatchSize;
            ModelLocation = modelLocation;
            Input = input;
            Layers = layers;
        }

        public string Namespace { get; }

        public string ClassName { get; }

        public int Loss { get; }

        public int MaxBatchSize { get; }

        public Location ModelLocation { get; }

        public InputDeclaration? Input { get; }

        public ImmutableArray<LayerDeclaration> Layers { get; }
    }

    internal sealed class InputDeclaration
    {
        public InputDeclaration(ImmutableArray<int> shape, Location location)
        {
            Shape = shape;
            Location = location;
        }

        public ImmutableArray<int> Shape { get; }

        public Location Location { get; }
    }

    internal abstract class LayerDeclaration
    {
        protected LayerDeclaration(string attributeName, Location location)
        {
            AttributeName = attributeName;
            Location = location;
        }

        /// <summary>The attribute's name as written in diagnostics, e.g. <c>Dense</c>.</summary>
        public string AttributeName { get; }

        public Location Location { get; }
    }

    internal sealed class DenseDeclaration : LayerDeclaration
    {
        public DenseDeclaration(int units, int activation, Location location)
            : base("Dense", location)
        {
            Units = units;
            Activation = activation;
        }

        public int Units { get; }

        public int Activation { get; }
    }

    internal sealed class DropoutDeclaration : LayerDeclaration
    {
        public DropoutDeclaration(double rate, Location location)
            : base("Dropout", location) => Rate = rate;

        public double Rate { get; }
    }

    internal sealed class FlattenDeclaration : LayerDeclaration
    {
        public FlattenDeclaration(Location location)
            : base("Flatten", location)
        {
        }
    }
}
