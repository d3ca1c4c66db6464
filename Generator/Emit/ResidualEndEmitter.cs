using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>The close of a residual block: <c>y = g(F(x) + x)</c>; backward the gradient goes both into F and, saved, to x.</summary>
    internal sealed class ResidualEndEmitter : LayerEmitter
    {
        public static readonly ResidualEndEmitter Instance = new();

        public override string Describe(LayerSpec layer) =>
            base.Describe(layer) + ", F(x) + x of " + layer.Name.Replace("add", "residual") + ", " + ((ResidualEndSpec)layer).Activation;

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var end = (ResidualEndSpec)context.Layer;
            var x = Activation(context.Plan[end.StartIndex].OutputOffset, end.OutputShape);
            writer.Line("var y = " + context.Output + ";");
            writer.Line(context.Input + ".CopyTo(y);");
            writer.Line(Kernels + "Residual.Add(" + x + ", y);");
            ActivationEmitter.Forward(writer, end.Activation, "y");
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var end = (ResidualEndSpec)context.Layer;
            writer.Line("var dy = " + Slice(context.Delta, 0, context.Rows + " * " + Int(end.OutputShape.Size)) + ";");
            ActivationEmitter.Backward(writer, end.Activation, context.Output, "dy");
            writer.Line("dy.CopyTo(" + Slice("_skips", context.Slots.SkipOffset, context.Rows + " * " + Int(end.OutputShape.Size)) + "); // reaches x through the skip connection");
            return context.Delta;
        }
    }
}
