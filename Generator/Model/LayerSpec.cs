namespace ModelGen.Generator.Model
{
    /// <summary>One layer of the stack, with its inferred input and output shapes.</summary>
    /// <param name="Name">The layer's name in code and in saved files, e.g. <c>dense1</c>.</param>
    internal abstract record LayerSpec(string Name, Shape InputShape, Shape OutputShape)
    {
        /// <summary>The Keras-style type name shown by <c>Summary()</c>.</summary>
        public abstract string TypeName { get; }

        /// <summary>The name as a C# identifier prefix, e.g. <c>Dense1</c>.</summary>
        public string PascalName => char.ToUpperInvariant(Name[0]) + Name.Substring(1);

        /// <summary>Trainable parameters (in the parameter buffer, updated by optimizers).</summary>
        public virtual int ParameterCount => 0;

        /// <summary>Non-trainable state, e.g. batch-norm running statistics.</summary>
        public virtual int StateCount => 0;
    }

    internal sealed record DenseSpec(string Name, Shape InputShape, Shape OutputShape, ActivationKind Activation)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Dense";

        public int Inputs => InputShape.Size;

        public int Units => OutputShape.Size;

        public int WeightCount => Units * Inputs;

        public override int ParameterCount => WeightCount + Units;
    }

    internal sealed record DropoutSpec(string Name, Shape InputShape, Shape OutputShape, double Rate)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Dropout";
    }

    internal sealed record FlattenSpec(string Name, Shape InputShape, Shape OutputShape)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Flatten";
    }

    /// <summary>Conv2D with weights F × C × KH × KW then bias F; Channels/Height/Width describe the input.</summary>
    internal sealed record Conv2DSpec(
        string Name,
        Shape InputShape,
        Shape OutputShape,
        int Filters,
        int KernelHeight,
        int KernelWidth,
        int StrideHeight,
        int StrideWidth,
        int PadHeight,
        int PadWidth,
        ActivationKind Activation)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Conv2D";

        public int Channels => InputShape.Dimensions[0];

        public int WeightCount => Filters * Channels * KernelHeight * KernelWidth;

        public override int ParameterCount => WeightCount + Filters;
    }

    internal sealed record PoolSpec(string Name, Shape InputShape, Shape OutputShape, bool IsMax, int Size, int Stride)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => IsMax ? "MaxPool2D" : "AvgPool2D";
    }

    /// <summary>LayerNorm (gain and bias per feature) or BatchNorm (gain, bias and running statistics per channel).</summary>
    internal sealed record NormalizationSpec(string Name, Shape InputShape, Shape OutputShape, bool IsBatch, double Epsilon, double Momentum)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => IsBatch ? "BatchNorm" : "LayerNorm";

        /// <summary>Features normalized together share statistics: channels for batch norm (spatial positions pooled).</summary>
        public int Channels => IsBatch ? InputShape.Dimensions[0] : InputShape.Size;

        /// <summary>Positions per channel that batch norm pools over (H·W for images, 1 for vectors).</summary>
        public int Spatial => IsBatch ? InputShape.Size / Channels : 1;

        public override int ParameterCount => 2 * Channels;

        public override int StateCount => IsBatch ? 2 * Channels : 0;
    }

    /// <summary>Opens a residual block; its output is its input (the remembered x).</summary>
    internal sealed record ResidualSpec(string Name, Shape InputShape, Shape OutputShape)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Residual";
    }

    /// <summary>Closes a residual block: output = g(F(x) + x), x being the output of layer <paramref name="StartIndex"/>.</summary>
    internal sealed record ResidualEndSpec(string Name, Shape InputShape, Shape OutputShape, int StartIndex, ActivationKind Activation)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Add";
    }

    internal enum CellKind
    {
        Simple,
        Lstm,
        Gru,
    }

    /// <summary>
    /// A recurrent layer (per direction: weight_ih G × in, weight_hh G × H, bias_ih G, bias_hh G, then the
    /// peephole weights), with G = H (simple), 4H (LSTM; 3H coupled) or 3H (GRU).
    /// </summary>
    internal sealed record RecurrentSpec(
        string Name,
        Shape InputShape,
        Shape OutputShape,
        CellKind Cell,
        int Units,
        bool ReturnSequences,
        bool Bidirectional,
        double Dropout,
        double RecurrentDropout,
        ActivationKind Activation,
        bool Peepholes,
        bool CoupledGates,
        bool ResetAfter)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => Cell switch { CellKind.Lstm => "LSTM", CellKind.Gru => "GRU", _ => "SimpleRNN" } + (Bidirectional ? " (bidirectional)" : string.Empty);

        public int Inputs => InputShape.Size;

        public int Gates => Cell switch { CellKind.Lstm => (CoupledGates ? 3 : 4) * Units, CellKind.Gru => 3 * Units, _ => Units };

        public int PeepholeCount => Cell == CellKind.Lstm && Peepholes ? (CoupledGates ? 2 : 3) * Units : 0;

        public int DirectionParameters => (Gates * Inputs) + (Gates * Units) + (2 * Gates) + PeepholeCount;

        public int Directions => Bidirectional ? 2 : 1;

        public override int ParameterCount => Directions * DirectionParameters;
    }

    /// <summary>A token-id → vector lookup table, vocabulary × dimension.</summary>
    internal sealed record EmbeddingSpec(string Name, Shape InputShape, Shape OutputShape, int Vocabulary, int Dimension)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Embedding";

        public override int ParameterCount => Vocabulary * Dimension;
    }

    /// <summary>
    /// The start of the decoder: its output is the decoder's input sequence (fed by the caller, not computed from
    /// <see cref="LayerSpec.InputShape"/>, which is the encoder's output).
    /// </summary>
    internal sealed record DecoderSpec(string Name, Shape InputShape, Shape OutputShape)
        : LayerSpec(Name, InputShape, OutputShape)
    {
        public override string TypeName => "Decoder";
    }
}
