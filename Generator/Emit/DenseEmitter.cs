using ModelGen.Generator.Model;
using static ModelGen.Generator.Emit.LayerContext;

namespace ModelGen.Generator.Emit
{
    /// <summary>Dense: <c>Y = g(X Aᵀ + α)</c> with A stored out × in (PyTorch <c>Linear.weight</c>).</summary>
    internal sealed class DenseEmitter : LayerEmitter
    {
        public static readonly DenseEmitter Instance = new();

        // One weight-gradient GEMM and one bias row sum over all rows, each writing its whole block.
        public override bool OverwritesGradients => true;

        public override string Describe(LayerSpec layer) =>
            base.Describe(layer) + ", " + ((DenseSpec)layer).Activation;

        public override void EmitMembers(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            AccessorEmitter.Parameter(writer, context, "Weight", "weight", Int(dense.Units) + " × " + Int(dense.Inputs) + " (out × in)", context.Slots.WeightOffset, dense.Units, dense.Inputs);
            AccessorEmitter.Parameter(writer, context, "Bias", "bias", Int(dense.Units) + " values", context.Slots.BiasOffset, dense.Units);
            if (AlternatesRows(dense))
            {
                writer.Line("private bool " + Descending(dense) + "; // which way the last pass read the weight rows (batch 1 alternates them)");
                writer.Line();
            }
        }

        /// <summary>
        /// Weight matrices from this size on (bytes; half of a Zen 5 core's 1 MB L2) are read in alternating
        /// directions at batch 1: each pass starts on the rows the pass before read last, still in L2 even where the
        /// matrix overflows some of L2's sets. Smaller ones always ascend, since the turn costs the prefetchers more
        /// than it saves there (measured: W1's 401 KB layer 6% slower alternating, W6's 663 KB one 3–15% faster by
        /// allocation).
        /// </summary>
        private const int AlternateFromBytes = 512 * 1024;

        private static bool AlternatesRows(DenseSpec dense) => (long)dense.WeightCount * sizeof(float) >= AlternateFromBytes;

        /// <summary>The field that flips every forward pass of a layer that <see cref="AlternatesRows"/>.</summary>
        private static string Descending(DenseSpec dense) => "_" + dense.Name + "Descending";

        public override void EmitInitialization(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            var weights = Parameters(context.Slots.WeightOffset, dense.WeightCount);
            writer.Line(ActivationEmitter.Initialization(dense.Activation, weights, dense.Inputs, dense.Units) + " // " + dense.Name + ", bias 0");
        }

        public override void EmitForward(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            writer.Line("var x = " + context.Input + ";");
            writer.Line("var y = " + context.Output + ";");
            // Softmax is applied below (also after an identity output layer under softmax cross-entropy).
            var activation = dense.Activation == ActivationKind.Softmax ? ActivationKind.Identity : dense.Activation;
            var forward = Kernels + "Linear.Forward(x, " + Parameters(context.Slots.WeightOffset, dense.WeightCount) + ", " + Parameters(context.Slots.BiasOffset, dense.Units)
                + ", y, " + context.Rows + ", " + Int(dense.Units) + ", " + Int(dense.Inputs) + ", global::ModelGen.Activation." + activation
                + (AlternatesRows(dense) ? ", descending: " + Descending(dense) + " = !" + Descending(dense) : string.Empty) + ");";
            if (context.PackedOffset < 0)
            {
                writer.Line(forward);
            }
            else
            {
                // A predictor's copy holds the weights packed in × out too, the faster layout for one example.
                writer.Open("if (_packed.Length != 0 && batchSize == 1)");
                writer.Line(Kernels + "Linear.ForwardPacked(x, " + Slice("_packed", context.PackedOffset, Int(ModelEmitter.PackedLength(dense))) + ", " + Parameters(context.Slots.BiasOffset, dense.Units)
                    + ", y, " + Int(dense.Units) + ", " + Int(dense.Inputs) + ", global::ModelGen.Activation." + activation + ");");
                writer.Close();
                writer.Open("else");
                writer.Line(forward);
                writer.Close();
            }

            if (dense.Activation == ActivationKind.Softmax || (context.IsLast && context.Model.Loss == LossKind.SoftmaxCrossEntropy))
            {
                writer.Line("// Softmax of the logits; the cross-entropy loss uses these probabilities.");
                writer.Line(Kernels + "Activations.SoftmaxRows(y, " + context.Rows + ", " + Int(dense.Units) + ");");
            }
        }

        public override string EmitBackward(CodeWriter writer, LayerContext context)
        {
            var dense = (DenseSpec)context.Layer;
            writer.Line("var dy = " + Slice(context.Delta, 0, context.Rows + " * " + Int(dense.Units)) + ";");
            ActivationEmitter.Backward(writer, dense.Activation, context.Output, "dy");
            writer.Line(Kernels + "Gemm.MultiplyTransposedA(dy, " + context.Input + ", " + Gradients(context.Slots.WeightOffset, dense.WeightCount) + ", " + Int(dense.Units) + ", " + Int(dense.Inputs) + ", " + context.Rows + ");");
            writer.Line(Kernels + "Bias.RowSums(dy, " + Gradients(context.Slots.BiasOffset, dense.Units) + ", " + context.Rows + ", " + Int(dense.Units) + ");");
            if (!context.Slots.NeedsInputGradient)
            {
                return context.Delta;
            }

            writer.Line(Kernels + "Gemm.Multiply(dy, " + Parameters(context.Slots.WeightOffset, dense.WeightCount) + ", " + Slice(context.OtherDelta, 0, context.Rows + " * " + Int(dense.Inputs)) + ", " + context.Rows + ", " + Int(dense.Inputs) + ", " + Int(dense.Units) + ");");
            return context.OtherDelta;
        }
    }
}
