using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Parsing
{
    // The attributes of one [Model] class as read from source, with the real Location of each attribute
    // so that diagnostics point at it (and #pragma can silence them). These objects live only inside the
    // parse transform; what leaves it is a ModelSpec of plain values.

    internal sealed record ModelDeclaration(
        string Namespace,
        string ClassName,
        int Loss,
        int MaxBatchSize,
        Location ModelLocation,
        InputDeclaration? Input,
        ImmutableArray<LayerDeclaration> Layers);

    /// <param name="MaxSequenceLength">0 for a single example; otherwise the longest sequence the model accepts.</param>
    internal sealed record InputDeclaration(ImmutableArray<int> Shape, int MaxSequenceLength, Location Location);

    /// <param name="AttributeName">The attribute's name as written in diagnostics, e.g. <c>Dense</c>.</param>
    /// <param name="NamePrefix">The layer name without its number, e.g. <c>dense</c> for <c>dense1</c>.</param>
    internal abstract record LayerDeclaration(string AttributeName, string NamePrefix, Location Location);

    internal sealed record DenseDeclaration(int Units, int Activation, Location Location)
        : LayerDeclaration("Dense", "dense", Location);

    internal sealed record DropoutDeclaration(double Rate, Location Location)
        : LayerDeclaration("Dropout", "dropout", Location);

    internal sealed record FlattenDeclaration(Location Location)
        : LayerDeclaration("Flatten", "flatten", Location);

    /// <param name="Padding">The <c>ModelGen.Padding</c> value; <paramref name="PadHeight"/>/<paramref name="PadWidth"/> of −1 mean "from Padding".</param>
    internal sealed record Conv2DDeclaration(
        int Filters,
        int KernelHeight,
        int KernelWidth,
        int StrideHeight,
        int StrideWidth,
        int Padding,
        int PadHeight,
        int PadWidth,
        int Activation,
        Location Location)
        : LayerDeclaration("Conv2D", "conv", Location);

    /// <param name="Stride">0 means "the window size".</param>
    internal sealed record PoolDeclaration(bool IsMax, int Size, int Stride, Location Location)
        : LayerDeclaration(IsMax ? "MaxPool2D" : "AvgPool2D", IsMax ? "maxpool" : "avgpool", Location);

    internal sealed record NormalizationDeclaration(bool IsBatch, double Epsilon, double Momentum, Location Location)
        : LayerDeclaration(IsBatch ? "BatchNorm" : "LayerNorm", IsBatch ? "batchnorm" : "layernorm", Location);

    internal sealed record ResidualDeclaration(Location Location)
        : LayerDeclaration("Residual", "residual", Location);

    internal sealed record ResidualEndDeclaration(int Activation, Location Location)
        : LayerDeclaration("ResidualEnd", "add", Location);

    internal enum RecurrentCell
    {
        Simple,
        Lstm,
        Gru,
    }

    /// <param name="Activation">The simple RNN's activation (tanh by default); unused by LSTM and GRU.</param>
    internal sealed record RecurrentDeclaration(
        RecurrentCell Cell,
        int Units,
        bool ReturnSequences,
        bool Bidirectional,
        double Dropout,
        double RecurrentDropout,
        int Activation,
        bool Peepholes,
        bool CoupledGates,
        bool ResetAfter,
        Location Location)
        : LayerDeclaration(
            Cell switch { RecurrentCell.Lstm => "Lstm", RecurrentCell.Gru => "Gru", _ => "SimpleRnn" },
            Cell switch { RecurrentCell.Lstm => "lstm", RecurrentCell.Gru => "gru", _ => "rnn" },
            Location);

    internal sealed record EmbeddingDeclaration(int Vocabulary, int Dimension, Location Location)
        : LayerDeclaration("Embedding", "embedding", Location);

    /// <param name="InputSize">Features per decoder step.</param>
    /// <param name="MaxSequenceLength">The longest output sequence.</param>
    internal sealed record DecoderDeclaration(int InputSize, int MaxSequenceLength, Location Location)
        : LayerDeclaration("Decoder", "decoder", Location);
}
