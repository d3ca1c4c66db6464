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

        public virtual int ParameterCount => 0;
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
}
