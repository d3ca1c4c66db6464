using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Inverted dropout: a fresh mask per training pass, the identity at inference.</summary>
    internal sealed class DropoutEmitter : LayerEmitter
    {
        public static readonly DropoutEmitter Instance = new();

        public override string Describe(LayerSpec layer) =>
            base.Describe(layer) + ", rate " + ((DropoutSpec)layer).Rate.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var dropout = (DropoutSpec)context.Layer;
            writer.Line("var x = " + context.Input + ";");
            writer.Line("var y = " + context.Output + ";");
            writer.Open("if (training)");
            writer.Line(Kernels + "Dropout.Forward(x, y, " + Mask(context) + ", " + Float(dropout.Rate) + ", _dropoutRng);");
            writer.Close();
            writer.Open("else");
            writer.Line("x.CopyTo(y);");
            writer.Close();
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            if (!context.Slots.NeedsInputGradient)
            {
                writer.Line("// Nothing trainable below: no input gradient needed.");
                return context.Delta;
            }

            // In place: dx = dy ⊙ mask, or dy itself when the forward pass did not drop anything.
            writer.Line("var dy = " + Slice(context.Delta, 0, context.Rows + " * " + Int(context.Layer.OutputShape.Size)) + ";");
            writer.Open("if (_trainingPass)");
            writer.Line(Kernels + "Dropout.Backward(" + Mask(context) + ", dy, dy);");
            writer.Close();
            return context.Delta;
        }

        private static string Mask(LayerContext context) =>
            Slice("_masks", context.Slots.MaskOffset, context.Rows + " * " + Int(context.Layer.OutputShape.Size));
    }
}
