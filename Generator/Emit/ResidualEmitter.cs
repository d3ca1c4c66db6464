using System.Linq;
using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>
    /// The opening of a residual block: forward it only marks x (same memory); backward it adds the gradient
    /// that reached x directly through the skip connection to the gradient that came through F.
    /// </summary>
    internal sealed class ResidualEmitter : LayerEmitter
    {
        public static readonly ResidualEmitter Instance = new();

        public override void EmitForward(CodeWriter writer, LayerContext context) =>
            writer.Line("// x of the residual block: the same memory as this layer's input.");

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var end = context.Model.Layers
                .Select((layer, index) => (layer, index))
                .Single(pair => pair.layer is ResidualEndSpec spec && spec.StartIndex == context.Index);
            var skip = Slice("_skips", context.Plan[end.index].SkipOffset, context.Rows + " * " + Int(context.Layer.OutputShape.Size));
            writer.Line(Kernels + "Residual.Add(" + skip + ", " + Slice(context.Delta, 0, context.Rows + " * " + Int(context.Layer.OutputShape.Size)) + ");");
            return context.Delta;
        }
    }
}
