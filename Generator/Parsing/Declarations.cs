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
        public InputDeclaration(ImmutableArray<int> shape, int maxSequenceLength, Location location)
        {
            Shape = shape;
            MaxSequenceLength = maxSequenceLength;
            Location = location;
        }

        public ImmutableArray<int> Shape { get; }

        /// <summary>0 for a single example; otherwise the longest sequence the model accepts.</summary>
        public int MaxSequenceLength { get; }

        public Location Location { get; }
    }

    internal abstract class LayerDeclaration
    {
        protected LayerDeclaration(string attributeName, string namePrefix, Location location)
        {
            AttributeName = attributeName;
            NamePrefix = namePrefix;
            Location = location;
        }

        /// <summary>The attribute's name as written in diagnostics, e.g. <c>Dense</c>.</summary>
        public string AttributeName { get; }

        /// <summary>The layer name without its number, e.g. <c>dense</c> for <c>dense1</c>.</summary>
        public string NamePrefix { get; }

        public Location Location { get; }
    }

    internal sealed class DenseDeclaration : LayerDeclaration
    {
        public DenseDeclaration(int units, int activation, Location location)
            : base("Dense", "dense", location)
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
            : base("Dropout", "dropout", location) => Rate = rate;

        public double Rate { get; }
    }

    internal sealed class FlattenDeclaration : LayerDeclaration
    {
        public FlattenDeclaration(Location location)
            : base("Flatten", "flatten", location)
        {
        }
    }

    internal sealed class Conv2DDeclaration : LayerDeclaration
    {
        public Conv2DDeclaration(
            int filters,
            int kernelHeight,
            int kernelWidth,
            int strideHeight,
            int strideWidth,
            int padding,
            int padHeight,
            int padWidth,
            int activation,
            Location location)
            : base("Conv2D", "conv", location)
        {
            Filters = filters;
            KernelHeight = kernelHeight;
            KernelWidth = kernelWidth;
            StrideHeight = strideHeight;
            StrideWidth = strideWidth;
            Padding = padding;
            PadHeight = padHeight;
            PadWidth = padWidth;
            Activation = activation;
        }

        public int Filters { get; }

        public int KernelHeight { get; }

        public int KernelWidth { get; }

        public int StrideHeight { get; }

        public int StrideWidth { get; }

        public int Padding { get; }

        public int PadHeight { get; }

        public int PadWidth { get; }

        public int Activation { get; }
    }

    internal sealed class PoolDeclaration : LayerDeclaration
    {
        public PoolDeclaration(bool isMax, int size, int stride, Location location)
            : base(isMax ? "MaxPool2D" : "AvgPool2D", isMax ? "maxpool" : "avgpool", location)
        {
            IsMax = isMax;
            Size = size;
            Stride = stride;
        }

        public bool IsMax { get; }

        public int Size { get; }

        /// <summary>0 means "the window size".</summary>
        public int Stride { get; }
    }

    internal sealed class NormalizationDeclaration : LayerDeclaration
    {
        public NormalizationDeclaration(bool isBatch, double epsilon, double momentum, Location location)
            : base(isBatch ? "BatchNorm" : "LayerNorm", isBatch ? "batchnorm" : "layernorm", location)
        {
            IsBatch = isBatch;
            Epsilon = epsilon;
            Momentum = momentum;
        }

        public bool IsBatch { get; }

        public double Epsilon { get; }

        public double Momentum { get; }
    }

    internal sealed class ResidualDeclaration : LayerDeclaration
    {
        public ResidualDeclaration(Location location)
            : base("Residual", "residual", location)
        {
        }
    }

    internal sealed class ResidualEndDeclaration : LayerDeclaration
    {
        public ResidualEndDeclaration(int activation, Location location)
            : base("ResidualEnd", "add", location) => Activation = activation;

        public int Activation { get; }
    }

    internal enum RecurrentCell
    {
        Simple,
        Lstm,
        Gru,
    }

    internal sealed class RecurrentDeclaration : LayerDeclaration
    {
        public RecurrentDeclaration(
            RecurrentCell cell,
            int units,
            bool returnSequences,
            bool bidirectional,
            double dropout,
            double recurrentDropout,
            int activation,
            bool peepholes,
            bool coupledGates,
            bool resetAfter,
            Location location)
            : base(cell switch { RecurrentCell.Lstm => "Lstm", RecurrentCell.Gru => "Gru", _ => "SimpleRnn" }, cell switch { RecurrentCell.Lstm => "lstm", RecurrentCell.Gru => "gru", _ => "rnn" }, location)
        {
            Cell = cell;
            Units = units;
            ReturnSequences = returnSequences;
            Bidirectional = bidirectional;
            Dropout = dropout;
            RecurrentDropout = recurrentDropout;
            Activation = activation;
            Peepholes = peepholes;
            CoupledGates = coupledGates;
            ResetAfter = resetAfter;
        }

        public RecurrentCell Cell { get; }

        public int Units { get; }

        public bool ReturnSequences { get; }

        public bool Bidirectional { get; }

        public double Dropout { get; }

        public double RecurrentDropout { get; }

        /// <summary>The simple RNN's activation (tanh by default); unused by LSTM and GRU.</summary>
        public int Activation { get; }

        public bool Peepholes { get; }

        public bool CoupledGates { get; }

        public bool ResetAfter { get; }
    }

    internal sealed class EmbeddingDeclaration : LayerDeclaration
    {
        public EmbeddingDeclaration(int vocabulary, int dimension, Location location)
            : base("Embedding", "embedding", location)
        {
            Vocabulary = vocabulary;
            Dimension = dimension;
        }

        public int Vocabulary { get; }

        public int Dimension { get; }
    }
}
