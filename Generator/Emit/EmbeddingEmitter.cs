using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Embedding: each row's token id selects a row of the table; backward scatters the gradient back.</summary>
    internal sealed class EmbeddingEmitter : LayerEmitter
    {
        public static readonly EmbeddingEmitter Instance = new();

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var embedding = (EmbeddingSpec)context.Layer;
            AccessorEmitter.Parameter(writer, context, "Weight", "weight", Int(embedding.Vocabulary) + " × " + Int(embedding.Dimension) + " (vocabulary × dimension)", context.Slots.WeightOffset, embedding.Vocabulary, embedding.Dimension);
        }

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var embedding = (EmbeddingSpec)context.Layer;
            writer.Line("global::ModelGen.Initializers.Uniform(" + Parameters(context.Slots.WeightOffset, embedding.ParameterCount) + ", 0.05f, rng); // " + embedding.Name + ": Keras' uniform ±0.05");
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var embedding = (EmbeddingSpec)context.Layer;
            writer.Line(Kernels + "Embedding.Forward(" + context.Input + ", " + Parameters(context.Slots.WeightOffset, embedding.ParameterCount) + ", " + context.Output + ", "
                + context.Rows + ", " + Int(embedding.Vocabulary) + ", " + Int(embedding.Dimension) + ");");
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var embedding = (EmbeddingSpec)context.Layer;
            writer.Line(Kernels + "Embedding.Backward(" + context.Input + ", " + context.OutputGradient + ", " + Gradients(context.Slots.WeightOffset, embedding.ParameterCount) + ", "
                + context.Rows + ", " + Int(embedding.Vocabulary) + ", " + Int(embedding.Dimension) + ");");
            return context.Delta;
        }
    }
}
