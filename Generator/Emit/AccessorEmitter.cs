using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Writes the named views of a layer's parameters (and their gradients) that the model class exposes.</summary>
    internal static class AccessorEmitter
    {
        /// <summary>A trainable tensor: <c>{Layer}{Member}</c> over the parameters and <c>{Layer}{Member}Gradient</c>.</summary>
        /// <param name="savedName">The PyTorch <c>state_dict</c> suffix, e.g. <c>weight</c>.</param>
        public static void Parameter(CodeWriter writer, LayerContext context, string member, string savedName, string shape, int offset, params int[] dimensions)
        {
            var length = Length(dimensions);
            context.Tensors.Add(Tensor(context, savedName, dimensions, "false", offset));
            var property = context.Layer.PascalName + member;
            writer.Line("/// <summary>" + member + " of " + context.Layer.Name + ", " + shape + ", saved as \"" + context.Layer.Name + "." + savedName + "\".</summary>");
            writer.Line("public global::System.Span<float> " + property + " => " + Parameters(offset, length) + ";");
            writer.Line();
            writer.Line("/// <summary>Gradient of the loss w.r.t. <see cref=\"" + property + "\"/> from the last backward pass.</summary>");
            writer.Line("public global::System.ReadOnlySpan<float> " + property + "Gradient => " + Gradients(offset, length) + ";");
            writer.Line();
        }

        /// <summary>A non-trainable tensor in the state buffer, e.g. batch-norm running statistics.</summary>
        public static void State(CodeWriter writer, LayerContext context, string member, string savedName, string shape, int offset, params int[] dimensions)
        {
            var length = Length(dimensions);
            context.Tensors.Add(Tensor(context, savedName, dimensions, "true", offset));
            writer.Line("/// <summary>" + member + " of " + context.Layer.Name + " (not trained by the optimizer), " + shape + ", saved as \"" + context.Layer.Name + "." + savedName + "\".</summary>");
            writer.Line("public global::System.Span<float> " + context.Layer.PascalName + member + " => " + Slice("_state", offset, Int(length)) + ";");
            writer.Line();
        }
    
        private static int Length(int[] dimensions)
        {
            var length = 1;
            foreach (var dimension in dimensions)
            {
                length *= dimension;
            }

            return length;
        }

        /// <summary>The entry of the model's tensor table: name, shape, whether it lives in the state buffer, offset.</summary>
        private static string Tensor(LayerContext context, string savedName, int[] dimensions, string isState, int offset) =>
            "new(\"" + context.Layer.Name + "." + savedName + "\", new[] { " + string.Join(", ", System.Linq.Enumerable.Select(dimensions, Int)) + " }, " + isState + ", " + Int(offset) + ")";
    }
}
