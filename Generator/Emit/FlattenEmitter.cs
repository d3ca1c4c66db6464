namespace ModelGen.Generator.Emit
{
    /// <summary>Flatten shares its input's memory: nothing to compute in either direction.</summary>
    internal sealed class FlattenEmitter : LayerEmitter
    {
        public static readonly FlattenEmitter Instance = new();

        public override void EmitForward(CodeWriter writer, LayerContext context) =>
            writer.Line("// Same memory as the input, read as a vector.");

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            writer.Line("// The gradient passes through unchanged.");
            return context.Delta;
        }
    }
}
